// A plain textarea that behaves like a code editor where it matters: Tab and
// Shift+Tab indent and outdent (the selected lines, or at the caret),
// Enter keeps the indentation, Ctrl/Cmd+Enter submits. Escape then Tab
// leaves the editor, so keyboard users are never trapped.

const INDENT = '    ';

export function attachEditor(textarea, { onSubmit, onChange }) {
  let escaped = false;
  textarea.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      onSubmit();
      return;
    }
    if (e.key === 'Escape') {
      escaped = true;
      return;
    }
    if (e.key === 'Tab' && !escaped) {
      e.preventDefault();
      if (e.shiftKey) outdent(textarea);
      else indent(textarea);
      onChange();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      newline(textarea);
      onChange();
      return;
    }
    escaped = false;
  });
  textarea.addEventListener('input', onChange);
}

function replace(textarea, start, end, text, caretStart, caretEnd) {
  textarea.setRangeText(text, start, end, 'end');
  textarea.setSelectionRange(caretStart, caretEnd ?? caretStart);
}

function lineStart(value, pos) {
  return value.lastIndexOf('\n', pos - 1) + 1;
}

function indent(t) {
  const { selectionStart: s, selectionEnd: e, value } = t;
  if (s === e) {
    replace(t, s, e, INDENT, s + INDENT.length);
    return;
  }
  const from = lineStart(value, s);
  const block = value.slice(from, e);
  const lines = block.split('\n');
  const out = lines.map((l) => INDENT + l).join('\n');
  replace(t, from, e, out, s + INDENT.length, e + INDENT.length * lines.length);
}

function outdent(t) {
  const { selectionStart: s, selectionEnd: e, value } = t;
  const from = lineStart(value, s);
  const lines = value.slice(from, e).split('\n');
  let removedFirst = 0;
  let removed = 0;
  const out = lines
    .map((l, i) => {
      const n = l.match(/^ {0,4}/)[0].length;
      if (i === 0) removedFirst = n;
      removed += n;
      return l.slice(n);
    })
    .join('\n');
  replace(t, from, e, out, Math.max(from, s - removedFirst), e - removed);
}

function newline(t) {
  const { selectionStart: s, selectionEnd: e, value } = t;
  const current = value.slice(lineStart(value, s), s);
  let lead = current.match(/^\s*/)[0];
  if (/:\s*$/.test(current)) lead += INDENT;
  replace(t, s, e, '\n' + lead, s + 1 + lead.length);
}
