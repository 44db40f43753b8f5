import assert from "node:assert/strict";

// A user's own script, in a folder of its own with no deno.json, imports the
// library by path and by file URL and trains one step, run with plain
// `deno run -A main.ts`. This fails if any import inside lib/ leans on the
// project's import map (a bare "jpeg-js" dies with "not a dependency").
const LIB = new URL("../../lib/mod.ts", import.meta.url);

const SCRIPT = (specifier: string) => `
import * as torch from ${JSON.stringify(specifier)};
torch.manualSeed(0);
const model = new torch.nn.Sequential(
  new torch.nn.Conv2d(1, 4, 3, { padding: 1 }),
  new torch.nn.ReLU(),
  new torch.nn.Flatten(),
  new torch.nn.Linear(4 * 6 * 6, 3),
);
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
const images = torch.randn([8, 1, 6, 6]);
const labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1]);
const losses = [];
for (let step = 0; step < 2; step++) {
  optimizer.zeroGrad();
  const loss = torch.crossEntropy(model.forward(images), labels);
  loss.backward();
  optimizer.step();
  losses.push((await loss.data())[0]);
}
// The image decoders come in through the same module graph.
const { ImageFolder } = torch.data;
console.log(JSON.stringify({ losses, imageFolder: typeof ImageFolder }));
`;

async function runFrom(specifier: string): Promise<
  { losses: number[]; imageFolder: string }
> {
  const folder = await Deno.makeTempDir({ prefix: "deno-webgpu-user-" });
  try {
    await Deno.writeTextFile(`${folder}/main.ts`, SCRIPT(specifier));
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts"],
      cwd: folder,
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).output();
    const decoder = new TextDecoder();
    assert.equal(
      code,
      0,
      `deno run -A main.ts failed in ${folder}:\n${decoder.decode(stderr)}`,
    );
    return JSON.parse(decoder.decode(stdout).trim().split("\n").at(-1)!);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test("a script in a temporary folder imports lib/mod.ts by path and trains a step", async () => {
  const { losses, imageFolder } = await runFrom(LIB.pathname);
  assert.equal(losses.length, 2);
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses[1] < losses[0], `loss did not fall: ${losses}`);
  assert.equal(imageFolder, "function");
});

Deno.test("a script in a temporary folder imports lib/mod.ts by file URL", async () => {
  const { losses } = await runFrom(LIB.href);
  assert.ok(losses[1] < losses[0], `loss did not fall: ${losses}`);
});
