/**
 * Plotly figures as MIME bundles: `application/vnd.plotly.v1+json` for
 * front ends with a plotly renderer (JupyterLab's extension, VS Code), and a
 * `text/html` fallback that draws with plotly.js for the rest (classic
 * Notebook 6/7, nbconvert HTML, offline pages).
 *
 * plotly.js (the pinned npm package plotly.js-dist-min, 4.8 MB) goes to a
 * page once per executor, as its own output before the first chart, so that
 * updating a chart (update_display_data) never removes the library from the
 * saved notebook. Classic Notebook loads RequireJS; plotly.js before v3
 * then registered an anonymous AMD module instead of setting `window.Plotly`
 * (and RequireJS rejects anonymous inline modules). The pinned v4 sets
 * `window.Plotly` itself, but the loader still hides `define` while the
 * library runs, as plotly.py does, so a version bump cannot break it.
 */
import {
  DISPLAY,
  type Displayable,
  type DisplaySink,
  type MimeBundle,
  SINK_KEY,
} from "./display.ts";

/** A plotly figure: traces, layout, config, as plotly.js takes them. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

const LIBRARY_URL = new URL(
  "../../node_modules/plotly.js-dist-min/plotly.min.js",
  import.meta.url,
);

let librarySent = false;

/**
 * The figure as a displayable (what the global `plot()` returns).
 *
 * @param figure traces or a whole figure: `plot([{ y: [1, 3, 2] }])` or `plot({ data, layout })`
 * @returns a displayable
 */
export function plot(figure: Figure | Figure["data"]): Displayable {
  const whole: Figure = Array.isArray(figure) ? { data: figure } : figure;
  return { [DISPLAY]: () => plotlyBundle(whole) };
}

/**
 * The MIME bundle of a figure. Inside the kernel, the first call also sends
 * plotly.js to the page as an output of its own.
 *
 * @param figure the figure
 * @returns the bundle
 */
export function plotlyBundle(figure: Figure): MimeBundle {
  const sink = (globalThis as { [SINK_KEY]?: DisplaySink })[SINK_KEY];
  let loader = "";
  if (!librarySent) {
    librarySent = true;
    if (sink) {
      // Before the chart: display() sends in call order (see events.ts for
      // why it sends from a task of its own, for every output).
      sink.display({
        data: { "text/html": libraryHtml() },
        metadata: {},
        update: false,
      });
    } else loader = libraryHtml();
  }
  const id = `plot-${crypto.randomUUID()}`;
  const json = (value: unknown) =>
    JSON.stringify(value ?? {}).replaceAll("</", "<\\/");
  const height = typeof figure.layout?.height === "number"
    ? `${figure.layout.height}px`
    : "450px";
  const html =
    `${loader}<div id="${id}" style="width:100%;height:${height}"></div>
<script type="text/javascript">
(function () {
  var tries = 0;
  function draw() {
    var element = document.getElementById(${JSON.stringify(id)});
    if (!element) return;
    if (window.Plotly) {
      window.Plotly.newPlot(element, ${json(figure.data)}, ${
      json(figure.layout)
    }, ${json(figure.config)});
    } else if (tries++ < 50) {
      setTimeout(draw, 100);
    } else {
      element.textContent = "plotly.js is not loaded on this page: run the notebook's first plot cell again";
    }
  }
  draw();
})();
</script>`;
  return {
    "application/vnd.plotly.v1+json": {
      data: figure.data,
      layout: figure.layout ?? {},
      config: figure.config ?? {},
    },
    "text/html": html,
    "text/plain": `<plotly figure: ${figure.data.length} trace(s)>`,
  };
}

function libraryHtml(): string {
  let source: string;
  try {
    source = Deno.readTextFileSync(LIBRARY_URL);
  } catch (error) {
    return `<pre>plotly.js could not be read from ${LIBRARY_URL.pathname}: ${error}; run \`deno install\` in the project</pre>`;
  }
  // "</script" inside the library would end the element early.
  const safe = source.replaceAll("</script", "<\\/script");
  return `<script type="text/javascript">
if (!window.Plotly) {
  (function () {
    var hiddenDefine = window.define;
    window.define = undefined;
    try {
${safe}
    } finally {
      window.define = hiddenDefine;
    }
  })();
}
</script>`;
}
