// Building elements from data without ever parsing markup: what the pages
// show of a learner's (names, code, output, messages) reaches them as text.

/** An element with `props` set as properties and `children` appended as nodes or text. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children.filter((c) => c !== null && c !== undefined).map((c) => (c instanceof Node ? c : String(c))));
  return node;
}
