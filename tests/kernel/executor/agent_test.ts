import assert from "node:assert/strict";
import { startExecutor } from "../_executor.ts";

const AGENT = new URL("../../../kernel/executor/agent.ts", import.meta.url);

/** Starts the agent as the kernel does, minus the kernel. */
function startAgent(): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", AGENT.pathname, "nonce", Deno.makeTempDirSync()],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

Deno.test("the agent exits with code 0 and reports no error when the kernel closes its stdin", async () => {
  const agent = startAgent();
  const reader = agent.stdout.getReader();
  await reader.read(); // the ready frame: the command loop is running
  reader.releaseLock();
  await agent.stdin.close();
  const { code, stdout, stderr } = await agent.output();
  // Its own exit once went through the cells' Deno.exit, which throws: a
  // late_error frame "Deno.exit(0) called" followed.
  assert.doesNotMatch(new TextDecoder().decode(stdout), /late_error/);
  assert.equal(new TextDecoder().decode(stderr), "");
  assert.equal(code, 0);
});

Deno.test("a computed import of an absolute path resolves as a literal one does", async () => {
  const folder = await Deno.makeTempDir();
  await Deno.writeTextFile(`${folder}/m.ts`, "export const value = 7;");
  const test = await startExecutor();
  try {
    const literal = await test.run(`(await import("${folder}/m.ts")).value`);
    const computed = await test.run(
      `const where = "${folder}" + "/m.ts";\n(await import(where)).value`,
    );
    assert.deepEqual(literal, { ...literal, result: { "text/plain": "7" } });
    assert.deepEqual(computed, { ...computed, result: { "text/plain": "7" } });
  } finally {
    await test.stop();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("stdout and stderr keep their relative order, as ipykernel's clients see it", async () => {
  const test = await startExecutor();
  try {
    const done = await test.run(
      `for (let i = 0; i < 50; i++) { console.log("o" + i); console.error("e" + i); }
Deno.stderr.writeSync(new TextEncoder().encode("raw\\n"));
console.log("last");`,
    );
    assert.equal(done.status, "ok");
    const expected = [];
    for (let i = 0; i < 50; i++) {
      expected.push(`stdout:o${i}\n`, `stderr:e${i}\n`);
    }
    expected.push("stderr:raw\n", "stdout:last\n");
    // Text may arrive in pieces of several lines; compare line by line.
    const lines = test.log.flatMap((entry) => {
      const [name, ...rest] = entry.split(":");
      return rest.join(":").split(/(?<=\n)/).filter((t) => t).map((t) =>
        `${name}:${t}`
      );
    });
    assert.deepEqual(lines, expected);
  } finally {
    await test.stop();
  }
});

Deno.test("a cell whose value is a timer object survives (the agent of a760ad7 aborted here)", async () => {
  const test = await startExecutor();
  try {
    await test.run("let keptAcrossTimer = 1");
    const done = await test.run("setTimeout(() => {}, 1)");
    assert.equal(done.status, "ok");
    const after = await test.run("keptAcrossTimer");
    assert.deepEqual(after, { ...after, result: { "text/plain": "1" } });
  } finally {
    await test.stop();
  }
});
