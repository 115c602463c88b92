/*
 * The server's MathJax: typesets the formulas of one post, page or comment per request.
 *
 * One long-lived process (started by core/mathjax/client.py) reads JSON lines on stdin and
 * answers one JSON line per request on stdout, so Node and MathJax start once, not per formula.
 *
 * Request:  {"id": 1, "math": ["\\(x^2\\)", "\\begin{equation}E=mc^2\\end{equation}", ...],
 *            "scope": "p12-", "safe": false, "labels": {"eq:a": {"tag": "1", "id": "..."}}}
 * Answer:   {"id": 1, "html": ["<mjx-container ...>", ...], "css": "...",
 *            "errors": ["message", ...], "labels": {"eq:b": {"tag": "2", "id": "..."}}}
 *
 * Each string is the text of one of arithmatex's math wrappers, delimiters included; the
 * formulas of a request are typeset as one document, in order, exactly as the browser
 * typesets a `.math-scope` element (static/js/mathjax-config.js): AMS numbering from (1),
 * \label ids prefixed by the scope, forward \eqref resolved, the `safe` extension for
 * commenters, and assistive MathML beside each formula for screen readers. `labels` names
 * labels defined elsewhere (a comment's \eqref to its post's equation) and the scope of
 * their ids.
 *
 * The output is SVG, not the CHTML that MathJax draws in the browser: a formula in SVG is one
 * box for the browser's layout, where CHTML is dozens of positioned boxes per formula, and
 * laying those out delayed a long post's first paint by 100–200 ms (docs/performance.md). The
 * glyphs' outlines are defined once per request, in a hidden <svg> put before the first
 * formula (so they are there before any formula is painted), and each formula <use>s them; their
 * ids carry the scope, so a post's and its comments' sets never share an id. Sizes are in em,
 * so the math takes the size of the text around it, as the CHTML at 100 % did. The CSS is
 * MathJax's few rules for SVG containers.
 */
import "@mathjax/src/js/util/asyncLoad/esm.js";
import { createInterface } from "node:readline";
import { mathjax } from "@mathjax/src/js/mathjax.js";
import { TeX } from "@mathjax/src/js/input/tex.js";
import { Label } from "@mathjax/src/js/input/tex/Tags.js";
import { SVG } from "@mathjax/src/js/output/svg.js";
import { liteAdaptor } from "@mathjax/src/js/adaptors/liteAdaptor.js";
import { HTMLHandler } from "@mathjax/src/js/handlers/html/HTMLHandler.js";
import { AssistiveMmlHandler } from "@mathjax/src/js/a11y/assistive-mml.js";
import { SafeHandler } from "@mathjax/src/js/ui/safe/SafeHandler.js";
import { MathJaxNewcmFont } from "@mathjax/mathjax-newcm-font/js/svg.js";
import "@mathjax/src/js/input/tex/base/BaseConfiguration.js";
import "@mathjax/src/js/input/tex/ams/AmsConfiguration.js";
import "@mathjax/src/js/input/tex/newcommand/NewcommandConfiguration.js";
import "@mathjax/src/js/input/tex/noundefined/NoUndefinedConfiguration.js";
import "@mathjax/src/js/input/tex/configmacros/ConfigMacrosConfiguration.js";
import "@mathjax/src/js/input/tex/action/ActionConfiguration.js";
import "@mathjax/src/js/input/tex/amscd/AmsCdConfiguration.js";
import "@mathjax/src/js/input/tex/bbox/BboxConfiguration.js";
import "@mathjax/src/js/input/tex/boldsymbol/BoldsymbolConfiguration.js";
import "@mathjax/src/js/input/tex/braket/BraketConfiguration.js";
import "@mathjax/src/js/input/tex/cancel/CancelConfiguration.js";
import "@mathjax/src/js/input/tex/cases/CasesConfiguration.js";
import "@mathjax/src/js/input/tex/centernot/CenternotConfiguration.js";
import "@mathjax/src/js/input/tex/color/ColorConfiguration.js";
import "@mathjax/src/js/input/tex/enclose/EncloseConfiguration.js";
import "@mathjax/src/js/input/tex/extpfeil/ExtpfeilConfiguration.js";
import "@mathjax/src/js/input/tex/html/HtmlConfiguration.js";
import "@mathjax/src/js/input/tex/mathtools/MathtoolsConfiguration.js";
import "@mathjax/src/js/input/tex/mhchem/MhchemConfiguration.js";
import "@mathjax/src/js/input/tex/unicode/UnicodeConfiguration.js";
import "@mathjax/src/js/input/tex/verb/VerbConfiguration.js";
import "@mathjax/src/js/input/tex/textmacros/TextMacrosConfiguration.js";
import "@mathjax/src/js/input/tex/tagformat/TagFormatConfiguration.js";

// What the browser's MathJax 4 (tex-chtml.js) has at hand: its packages and those it autoloads.
const PACKAGES = [
  "base", "ams", "newcommand", "noundefined", "configmacros", "action", "amscd", "bbox",
  "boldsymbol", "braket", "cancel", "cases", "centernot", "color", "enclose", "extpfeil",
  "html", "mathtools", "textmacros", "mhchem", "unicode", "verb", "tagformat",
];

const adaptor = liteAdaptor();
const handlers = {
  trusted: AssistiveMmlHandler(new HTMLHandler(adaptor)),
  safe: SafeHandler(AssistiveMmlHandler(new HTMLHandler(adaptor))),
};

// MathJax writes SVG sizes in ex of its own font; the site's text font has a taller x-height,
// which made every formula about a fifth larger than the text. In em they match it exactly.
class EmSVG extends SVG {
  ex(m) {
    return Math.abs(m) < 0.001 ? "0" : m.toFixed(3).replace(/\.?0+$/, "") + "em";
  }
}

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

async function typeset(request) {
  const scope = request.scope || "";
  const known = request.labels || {};
  const errors = [];
  const tex = new TeX({
    packages: PACKAGES,
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: false,
    processEnvironments: true,
    tags: "ams",
    tagformat: {
      id: (label) => "mjx-eqn:" + scope + label.replace(/\s/g, "_"),
    },
    formatError: (jax, error) => {
      errors.push(error.message);
      return jax.formatError(error);
    },
  });
  const svg = new EmSVG({
    fontData: MathJaxNewcmFont,
    dynamicPrefix: "@mathjax/mathjax-newcm-font/js/svg/dynamic",
    fontCache: "global",
    // A numbered equation spans the column and is scaled in px from this: 1 em = 16 px
    // (the ex MathJax assumes when it cannot measure one, times its font's x-height).
    exFactor: MathJaxNewcmFont.defaultParams.x_height,
  });
  const markup = request.math
    .map((text) => `<span class="arithmatex">${escapeHtml(text)}</span>`)
    .join("");
  const page = adaptor.parse(`<html><head></head><body>${markup}</body></html>`, "text/html");
  const handler = request.safe ? handlers.safe : handlers.trusted;
  const doc = handler.create(page, {
    InputJax: tex,
    OutputJax: svg,
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
    enableAssistiveMml: true,
  });
  // Labels defined elsewhere (the post's, for a comment) are known before the first formula,
  // so \eqref to them links to that equation instead of showing "(???)".
  const tags = tex.parseOptions.tags;
  // A label this document defines itself wins over one from elsewhere (never "multiply defined").
  const own = new Set(request.math.flatMap((text) => [...text.matchAll(/\\label\{([^}]*)\}/g)].map((m) => m[1])));
  for (const [name, label] of Object.entries(known)) {
    if (!own.has(name)) tags.allLabels[name] = new Label(label.tag, label.id);
  }
  await mathjax.handleRetriesFor(() => doc.render());
  // MathJax adds the glyphs' definitions to the page beside the formulas.
  const nodes = adaptor.childNodes(adaptor.body(page));
  const cache = nodes.find((node) => adaptor.getAttribute(node, "id") === "MJX-SVG-global-cache");
  const scoped = (text) => text.replace(/(id="|href="#)MJX-/g, `$1MJX-${scope}`);
  const html = nodes.filter((node) => node !== cache).map((wrapper, index) => {
    const out = adaptor.innerHTML(wrapper);
    // Anything but exactly one typeset formula means MathJax did not read it as one.
    if (!/^<mjx-container[^]*<\/mjx-container>$/.test(out) || out.split("<mjx-container").length !== 2) {
      errors.push(`not a formula MathJax can read: ${request.math[index].slice(0, 80)}`);
    }
    // MathJax copies the TeX onto every node (data-latex); the formula's own copy, on its
    // <g data-mml-node="math">, is kept (for snippets, search marks and feeds) and the rest
    // dropped: a third of the weight.
    return scoped(
      out.replace(/(<(?!g data-mml-node="math")[a-z][\w-]*\b[^>]*?) data-latex="[^"]*"/g, "$1"),
    );
  });
  // Inside the first formula's container: defined before any formula is painted, and the
  // stored HTML still starts each formula with its container.
  if (cache && html.length) {
    html[0] = html[0].replace(/^<mjx-container[^>]*>/, (tag) => tag + scoped(adaptor.outerHTML(cache)));
  }
  const css = adaptor.cssText(svg.styleSheet(doc));
  const labels = {};
  for (const [name, label] of Object.entries(tags.allLabels)) {
    if (!(name in known) || own.has(name)) labels[name] = { tag: label.tag, id: label.id };
  }
  return { html, css, errors, labels };
}

async function main() {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let request;
    try {
      request = JSON.parse(line);
      const answer = await typeset(request);
      process.stdout.write(JSON.stringify({ id: request.id, ...answer }) + "\n");
    } catch (error) {
      process.stdout.write(
        JSON.stringify({ id: request?.id ?? null, error: String(error?.stack || error) }) + "\n",
      );
    }
  }
}

main();
