// Building elements from data without ever parsing markup: what the pages
// show of a learner's (names, code, output, messages) reaches them as text.

/** An element with `props` set as properties and `children` appended as nodes or text. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children.filter((c) => c !== null && c !== undefined).map((c) => (c instanceof Node ? c : String(c))));
  return node;
}

/**
 * A link to the page's own route `hash` (`learner/<id>`), as this page's
 * path and the hash: axe-core takes any link that starts with `#` for a
 * skip link whose target element must exist, which a route has not.
 */
export function pageLink(hash) {
  return `${location.pathname}#${hash}`;
}
