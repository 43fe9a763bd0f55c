// Marked output blocks in Markdown, shared by scripts/docs-outputs.mjs (which regenerates them)
// and scripts/pack-consumer.mjs (which checks package README examples against them).
//
//   <!-- output: cvxnn fit --data breast_cancer --lambda 1 -->
//   ```console
//   $ pnpm -s cvxnn fit --data breast_cancer --lambda 1
//   …what the command printed (stdout and stderr, in order)…
//   ```
//   <!-- /output -->
//
// `<!-- output: example -->` stands after a ```js block: the block is run with node in the
// Markdown file's folder and what it prints goes between the markers as a ```text block.

const OPEN = /<!-- output: (.+?) -->\n/g;
const CLOSE = '<!-- /output -->';

/**
 * Every marked block of a Markdown text, in order.
 * @param {string} text
 * @returns {Array<{ command: string, start: number, end: number, body: string, code: string | null, line: number }>}
 *   `start`..`end` is the text from the opening marker to the end of the closing one; `body` the
 *   output inside the fence; `code` the ```js block just before an `example` marker.
 */
export function findBlocks(text) {
  const blocks = [];
  let prevEnd = 0;
  for (const m of text.matchAll(OPEN)) {
    const start = m.index;
    const close = text.indexOf(CLOSE, start);
    if (close < 0) throw new Error(`line ${lineOf(text, start)}: <!-- output: ${m[1]} --> has no ${CLOSE}`);
    const inner = text.slice(start + m[0].length, close);
    const fence = /^```[a-z]*\n([\s\S]*?)```\n?$/.exec(inner);
    let body = fence ? fence[1] : inner;
    let code = null;
    if (m[1] === 'example') {
      const before = text.slice(prevEnd, start);
      const js = [...before.matchAll(/```(?:js|javascript|mjs)\n([\s\S]*?)```/g)].at(-1);
      if (!js) throw new Error(`line ${lineOf(text, start)}: <!-- output: example --> has no \`\`\`js block before it`);
      code = js[1];
    } else if (body.startsWith('$ ')) body = body.slice(body.indexOf('\n') + 1); // the echoed command line
    blocks.push({ command: m[1], start, end: close + CLOSE.length, body, code, line: lineOf(text, start) });
    prevEnd = close + CLOSE.length;
  }
  return blocks;
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

/**
 * The marked block for `command` with `output` inside (a console block that echoes `shown`, or a
 * text block for examples).
 * @param {string} command @param {string} output @param {string} [shown]
 */
export function renderBlock(command, output, shown) {
  const body = output.endsWith('\n') || output === '' ? output : `${output}\n`;
  const fenced = command === 'example' ? `\`\`\`text\n${body}\`\`\`` : `\`\`\`console\n$ ${shown ?? command}\n${body}\`\`\``;
  return `<!-- output: ${command} -->\n${fenced}\n${CLOSE}`;
}

/**
 * Split a command line into words: whitespace separates, single and double quotes group.
 * @param {string} line
 */
export function splitWords(line) {
  const words = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}
