import assert from "node:assert/strict";
import { assertIncludes } from "./_assert.ts";
import { GatewayDisconnected, GatewayKernel } from "./_gateway_client.ts";
import { type JupyterServer, ROOT, startJupyter } from "./_jupyter_venv.ts";

// The kernel behind Jupyter Kernel Gateway (pinned in setup.sh's .venv) on
// loopback, driven only through the gateway's REST and websocket API, as a
// course server's front end does.
const GATEWAY_ARGS = [
  "--KernelGatewayApp.auth_token=",
  "--KernelGatewayApp.default_kernel_name=deno-webgpu",
  "--JupyterWebsocketPersonality.list_kernels=True",
];

const TRAIN_STEP = `
import * as torch from ${JSON.stringify(`${ROOT}lib/mod.ts`)};
torch.manualSeed(0);
const model = new torch.nn.Sequential(new torch.nn.Linear(4, 3));
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.5 });
const x = torch.randn([16, 4]);
const y = torch.tensor(Array.from({ length: 16 }, (_, i) => i % 3));
const losses = [];
for (let step = 0; step < 3; step++) {
  optimizer.zeroGrad();
  const loss = torch.crossEntropy(model.forward(x), y);
  loss.backward();
  optimizer.step();
  losses.push((await loss.data())[0]);
}
console.log("losses " + losses.map((l) => l.toFixed(4)).join(" "));
plot([{ y: losses, name: "loss" }])`;

/** A loopback TCP relay in front of the gateway whose connections can be cut, as a network drop or a gateway restart cuts them. */
function relay(target: string): { base: string; cut: () => void } {
  const { port } = new URL(target);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect({
        hostname: "127.0.0.1",
        port: Number(port),
      });
      open.add(client).add(upstream);
      client.readable.pipeTo(upstream.writable).catch(() => {});
      upstream.readable.pipeTo(client.writable).catch(() => {});
    }
  })().catch(() => {});
  return {
    base: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    cut: () => {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // Already closed by its pipe.
        }
      }
    },
  };
}

function texts(outputs: { content: Record<string, unknown> }[]): string {
  return outputs.map((o) => JSON.stringify(o.content)).join("\n");
}

async function withGateway(
  fn: (gateway: JupyterServer, kernel: GatewayKernel) => Promise<void>,
): Promise<void> {
  const gateway = await startJupyter({
    program: "jupyter-kernelgateway",
    args: GATEWAY_ARGS,
  });
  let kernel: GatewayKernel | undefined;
  try {
    kernel = await GatewayKernel.start(gateway.base, "deno-webgpu");
    await fn(gateway, kernel);
    await kernel.shutdown();
    kernel = undefined;
  } catch (error) {
    throw new Error(`${error}\n--- gateway log ---\n${gateway.log()}`);
  } finally {
    await kernel?.shutdown().catch(() => {});
    await gateway.stop();
  }
}

Deno.test({
  name:
    "through Kernel Gateway a cell trains a step and shows a plot, then the kernel is interrupted and restarted",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withGateway(async (_gateway, kernel) => {
      const trained = await kernel.execute(TRAIN_STEP);
      assert.equal(trained.reply.status, "ok", texts(trained.outputs));
      const shown = texts(trained.outputs);
      const losses = shown.match(/losses ([0-9.]+) ([0-9.]+) ([0-9.]+)/);
      assert.ok(losses, shown);
      assert.ok(Number(losses[3]) < Number(losses[1]), shown);
      assertIncludes(shown, "application/vnd.plotly.v1+json");

      const busy = kernel.execute(
        "let spins = 0; while (true) { spins++; await new Promise((r) => setTimeout(r, 20)); }",
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await kernel.interrupt();
      const interrupted = await busy;
      assert.equal(interrupted.reply.status, "error");
      const after = await kernel.execute("spins > 0");
      assertIncludes(texts(after.outputs), "true");

      await kernel.restart();
      const fresh = await kernel.execute("typeof spins");
      assert.equal(fresh.reply.status, "ok");
      assertIncludes(texts(fresh.outputs), "undefined");
    }),
});

Deno.test({
  name:
    "a gateway that drops the connection mid-cell gives a message naming the gateway and what to do",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withGateway(async (gateway) => {
      const link = relay(gateway.base);
      const kernel = await GatewayKernel.start(link.base, "deno-webgpu");
      try {
        const running = kernel.execute(
          "await new Promise((r) => setTimeout(r, 60_000))",
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
        link.cut(); // the connection goes away under the running cell
        const error = await running.then(() => null, (e) => e);
        assert.ok(error instanceof GatewayDisconnected, String(error));
        assertIncludes(error.message, `The gateway at ${link.base} closed`);
        assertIncludes(error.message, "run the cell again");
      } finally {
        await fetch(`${gateway.base}/api/kernels/${kernel.id}`, {
          method: "DELETE",
        }).then((r) => r.body?.cancel());
      }
    }),
});
