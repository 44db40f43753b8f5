// The download path for real: a local HTTP server on 127.0.0.1 serves the
// official Fashion-MNIST files (test split) from ../shared/data/fashion-mnist.
import assert from "node:assert/strict";
import { FashionMNIST } from "../../../lib/data/fashion_mnist.ts";

const SHARED = new URL(
  "../../../../shared/data/fashion-mnist/",
  import.meta.url,
).pathname;
const NAMES = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];
const present = NAMES.every((name) => {
  try {
    return Deno.statSync(SHARED + name).isFile;
  } catch {
    return false;
  }
});
if (!present) {
  console.warn(
    `Skipping the download tests: the official files are not in ${SHARED} (the shared data folder beside the repository)`,
  );
}

type Mode = "normal" | "cut" | "no-range" | "corrupt";

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Serves the files; `mode` changes how (cut transfers, ignored ranges, a changed byte). */
async function startServer() {
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const name of NAMES) files.set(name, await Deno.readFile(SHARED + name));
  // Valid gzip of labels with one label changed: only the content check can tell.
  const labels = await gunzip(files.get(NAMES[1])!);
  labels[8 + 100] = (labels[8 + 100] + 1) % 10;
  const corrupted = await gzip(labels);

  const state = {
    mode: "normal" as Mode,
    requests: [] as { name: string; range: string | null }[],
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const name = new URL(request.url).pathname.slice(1);
      const range = request.headers.get("range");
      state.requests.push({ name, range });
      let body = files.get(name);
      if (!body) return new Response("not found", { status: 404 });
      if (state.mode === "corrupt" && name === NAMES[1]) body = corrupted;
      if (state.mode === "cut" && name === NAMES[0]) {
        const half = body.subarray(0, body.length >> 1);
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(half);
            setTimeout(() => controller.close(), 50); // short of content-length
          },
        });
        return new Response(stream, {
          headers: { "content-length": String(body.length) },
        });
      }
      const start = Number(/^bytes=(\d+)-$/.exec(range ?? "")?.[1] ?? NaN);
      if (state.mode !== "no-range" && Number.isFinite(start)) {
        return new Response(body.subarray(start), {
          status: 206,
          headers: {
            "content-range": `bytes ${start}-${body.length - 1}/${body.length}`,
          },
        });
      }
      return new Response(body);
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}/`;
  return { server, state, base };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "FashionMNIST downloads into a fresh cache, reuses it, resumes a cut transfer, rejects a changed byte",
  ignore: !present,
  sanitizeResources: false, // the server's connections close after the test body
  async fn(t) {
    const { server, state, base } = await startServer();
    const load = (root: string) =>
      new FashionMNIST({
        train: false,
        root,
        urls: [base],
        onProgress: () => {},
      }).load();
    const roots: string[] = [];
    const freshRoot = async () => {
      roots.push(await Deno.makeTempDir());
      return roots.at(-1)!;
    };
    try {
      await t.step("a fresh cache fills", async () => {
        const root = await freshRoot();
        const data = await load(root);
        assert.equal(data.length, 10000);
        assert.deepEqual(state.requests.map((r) => r.name), NAMES);
        for (const name of NAMES) {
          assert.deepEqual(
            await Deno.readFile(`${root}/${name}`),
            await Deno.readFile(SHARED + name),
          );
        }
      });

      await t.step("a second run reuses it", async () => {
        state.requests.length = 0;
        const again = await load(roots[0]);
        assert.equal(state.requests.length, 0);
        assert.equal(again.targets.length, 10000);
      });

      await t.step(
        "a transfer cut off halfway leaves no file and resumes",
        async () => {
          const root = await freshRoot();
          state.mode = "cut";
          await assert.rejects(
            () => load(root),
            /Download of http:\/\/127\.0\.0\.1:\d+\/t10k-images-idx3-ubyte\.gz was cut off after \d+ bytes of 4422102 .*run again to resume/,
          );
          assert.equal(await exists(`${root}/${NAMES[0]}`), false);
          const partial = (await Deno.stat(`${root}/${NAMES[0]}.part`)).size;
          assert.ok(partial > 0 && partial < 4422102, `partial ${partial}`);
          state.mode = "normal";
          state.requests.length = 0;
          const data = await load(root); // passes the content check: the pieces fit
          assert.equal(data.length, 10000);
          assert.equal(state.requests[0].range, `bytes=${partial}-`);
          assert.equal(await exists(`${root}/${NAMES[0]}.part`), false);
        },
      );

      await t.step(
        "a server that ignores ranges makes it start over",
        async () => {
          const root = await freshRoot();
          state.mode = "cut";
          await assert.rejects(() => load(root), /cut off/);
          state.mode = "no-range";
          const data = await load(root);
          assert.equal(data.length, 10000);
          assert.deepEqual(
            await Deno.readFile(`${root}/${NAMES[0]}`),
            await Deno.readFile(SHARED + NAMES[0]),
          );
        },
      );

      await t.step(
        "a changed byte is caught by the content check and not kept",
        async () => {
          const root = await freshRoot();
          state.mode = "corrupt";
          await assert.rejects(
            () => load(root),
            /Content check failed for .*t10k-labels-idx1-ubyte\.gz: the MD5 of its decompressed data is [0-9a-f]{32}, expected 15d484375f8d13e6eb1aabb0c3f46965[^]*removed: load again/,
          );
          assert.equal(await exists(`${root}/${NAMES[1]}`), false);
          state.mode = "normal";
          assert.equal((await load(root)).length, 10000);
        },
      );
    } finally {
      await server.shutdown();
      for (const root of roots) await Deno.remove(root, { recursive: true });
    }
  },
});
