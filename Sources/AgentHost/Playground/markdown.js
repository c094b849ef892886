// A small, safe Markdown renderer for the playground: fenced code, inline code, bold, italics,
// links, headings and lists. Everything is HTML-escaped first; only the tags made here are
// emitted. It must cope with half-streamed text: an unclosed fence renders as code so far.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHTML(text) {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function inline(text) {
  const codes = [];
  let html = escapeHTML(text).replace(/`([^`\n]+)`/g, (_, code) => {
    codes.push(code);
    return `\u0000${codes.length - 1}\u0000`;
  });
  html = html
    .replace(/\*\*([^*\n]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*\w])\*([^*\n]+)\*(?!\w)/g, "$1<em>$2</em>")
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
  return html.replace(/\u0000(\d+)\u0000/g, (_, i) => `<code>${codes[Number(i)]}</code>`);
}

function block(text) {
  const lines = text.split("\n");
  if (lines.every((line) => /^\s*[-*] /.test(line))) {
    return `<ul>${lines.map((line) => `<li>${inline(line.replace(/^\s*[-*] /, ""))}</li>`).join("")}</ul>`;
  }
  if (lines.every((line) => /^\s*\d+[.)] /.test(line))) {
    return `<ol>${lines.map((line) => `<li>${inline(line.replace(/^\s*\d+[.)] /, ""))}</li>`).join("")}</ol>`;
  }
  const heading = /^(#{1,4}) (.*)$/.exec(text);
  if (heading && lines.length === 1) {
    const level = heading[1].length <= 2 ? 3 : 4;
    return `<h${level}>${inline(heading[2])}</h${level}>`;
  }
  return `<p>${inline(text)}</p>`;
}

export function renderMarkdown(source) {
  const out = [];
  const pieces = source.split(/^```/m);
  pieces.forEach((piece, index) => {
    if (index % 2 === 1) {
      const newline = piece.indexOf("\n");
      const code = newline === -1 ? "" : piece.slice(newline + 1).replace(/\n$/, "");
      out.push(`<pre><code>${escapeHTML(code)}</code></pre>`);
      return;
    }
    const text = index === 0 ? piece : piece.replace(/^[^\n]*\n?/, "");
    for (const paragraph of text.split(/\n{2,}/)) {
      if (paragraph.trim()) out.push(block(paragraph.replace(/^\n+|\n+$/g, "")));
    }
  });
  return out.join("");
}
