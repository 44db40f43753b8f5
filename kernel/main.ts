/**
 * The kernel's entry point, as a kernelspec's argv runs it:
 *
 *   deno run --allow-all kernel/main.ts CONNECTION_FILE [--permissions "FLAGS"] [--log FILE]
 *
 * --permissions: the Deno permission flags for user code (default --allow-all,
 * as Deno's own kernel). --log (or env DENO_WEBGPU_KERNEL_LOG): a debug log.
 * Env DENO_WEBGPU_TYPECHECK=off|warn|error: type errors are not checked,
 * reported as warnings (the default) or stop the cell (checked_run.ts).
 */
import { parseArgs } from "node:util";
import { parseConnectionInfo } from "./connection.ts";
import { Kernel } from "./kernel.ts";
import { createLogger } from "./log.ts";
import { CHECK_MODE_VARIABLE, checkMode } from "./check_mode.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    permissions: { type: "string", default: "--allow-all" },
    log: { type: "string" },
  },
});
if (positionals.length !== 1) {
  console.error(
    "Usage: deno run --allow-all kernel/main.ts CONNECTION_FILE [--permissions FLAGS] [--log FILE]",
  );
  Deno.exit(2);
}
const logger = createLogger(
  values.log ?? Deno.env.get("DENO_WEBGPU_KERNEL_LOG"),
);
const typeCheck = checkMode(Deno.env.get(CHECK_MODE_VARIABLE));
if (typeCheck === null) {
  logger.warn(
    `${CHECK_MODE_VARIABLE} is ${
      JSON.stringify(Deno.env.get(CHECK_MODE_VARIABLE))
    }, not off, warn or error: warning`,
  );
}
const info = parseConnectionInfo(await Deno.readTextFile(positionals[0]));
const config = new URL("../deno.json", import.meta.url).pathname;
const kernel = new Kernel({
  cwd: Deno.cwd(),
  permissions: values.permissions!.split(/\s+/).filter((flag) => flag !== ""),
  // The project's import map for user code too; the lock file stays untouched
  // by whatever npm packages cells import.
  denoFlags: ["--config", config, "--no-lock"],
  logger,
  typeCheck: typeCheck ?? "warn",
});
// With interrupt_mode "message" Jupyter sends interrupt_request; SIGINT (a
// terminal's Ctrl-C, or an older client) does the same.
Deno.addSignalListener("SIGINT", () => kernel.interrupt());
await kernel.start(info);
// A kernel whose client died (killed, crashed) would run forever: when the
// parent that started it goes away, shut down too, as ipykernel does.
const parent = Deno.ppid;
const watch = setInterval(() => {
  if (Deno.ppid !== parent) {
    logger.warn("the process that started the kernel is gone: shutting down");
    kernel.shutdown();
  }
}, 1000);
Deno.unrefTimer(watch);
logger.debug(`kernel started in ${Deno.cwd()}`);
await kernel.done;
Deno.exit(0);
