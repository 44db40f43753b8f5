import assert from "node:assert/strict";

const KERNEL = new URL("../../kernel/", import.meta.url).href;
const EXECUTOR = new URL("executor/", KERNEL).href;
const DOOR = new URL("agent_protocol.ts", KERNEL).href;

/** Every local module a program loads (deno info's module graph). */
async function graph(entry: string): Promise<string[]> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(entry, KERNEL).pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules.map((m) => m.specifier).filter((s) =>
    s.startsWith("file:")
  );
}

Deno.test("the kernel process loads nothing of the executor's room", async () => {
  const modules = [
    ...await graph("main.ts"),
    ...await graph("transpile.ts"),
    ...await graph("language_service.ts"),
    // A worker's module, not in main.ts's static graph.
    ...await graph("language_worker.ts"),
  ];
  assert.deepEqual(modules.filter((m) => m.startsWith(EXECUTOR)), []);
});

Deno.test("the executor loads nothing of the kernel's room but agent_protocol.ts", async () => {
  const modules = await graph("executor/agent.ts");
  const outside = modules.filter((m) =>
    m.startsWith(KERNEL) && !m.startsWith(EXECUTOR) && m !== DOOR
  );
  assert.deepEqual(outside, []);
});

Deno.test("agent_protocol.ts imports neither room", async () => {
  const modules = await graph("agent_protocol.ts");
  assert.deepEqual(
    modules.filter((m) => m !== DOOR && m.startsWith(KERNEL)),
    [],
  );
});

Deno.test("library code imports nothing under kernel/ but kernel/mod.ts", async () => {
  const lib = new URL("../../lib/", import.meta.url);
  const offenders: string[] = [];
  const walk = async (folder: URL) => {
    for await (const entry of Deno.readDir(folder)) {
      const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), folder);
      if (entry.isDirectory) await walk(url);
      else if (entry.name.endsWith(".ts")) {
        const source = await Deno.readTextFile(url);
        for (const [, specifier] of source.matchAll(/from\s+"([^"]+)"/g)) {
          const target = new URL(specifier, url).href;
          if (target.startsWith(KERNEL) && target !== `${KERNEL}mod.ts`) {
            offenders.push(`${url.pathname}: ${specifier}`);
          }
        }
      }
    }
  };
  await walk(lib);
  assert.deepEqual(offenders, []);
});
