/* Counting and labelling helpers for the post editor, on the Markdown source. */

const MATH = /\$\$[\s\S]+?\$\$|\\\[[\s\S]+?\\\]|\\begin\{(\w+\*?)\}[\s\S]+?\\end\{\1\}|(?<!\\)\$[^$\n]+?\$|\\\([\s\S]+?\\\)/g;
const CODE = /```[\s\S]*?```|~~~[\s\S]*?~~~/g;

// Words as a Chinese reader counts them: each Han character, plus each run of Latin letters or digits.
export function countWords(source) {
  const prose = source.replace(CODE, " ").replace(MATH, " ").replace(/<!--[\s\S]*?-->/g, " ");
  const han = prose.match(/\p{Script=Han}/gu) || [];
  const latin = prose.match(/[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*/g) || [];
  return han.length + latin.length;
}

// A label no equation of the post uses yet: eq:N after the highest N in \label{eq:N}.
export function nextEquationLabel(source) {
  let highest = 0;
  for (const match of source.matchAll(/\\label\{eq:(\d+)\}/g)) {
    highest = Math.max(highest, parseInt(match[1], 10));
  }
  return `eq:${highest + 1}`;
}
