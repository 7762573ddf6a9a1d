// The code editor: CodeMirror 5 (from Debian's libjs-codemirror, copied into
// /vendor by scripts/vendor-ui.sh) with line numbers, bracket matching and the
// highlighting of the assignment's language (its runner's `language`, a
// CodeMirror mode loaded the first time it is needed); where its script did not load, the plain textarea, made
// to behave like a code editor where it matters. Either way: Tab and
// Shift+Tab indent and outdent with spaces, Enter keeps the indentation,
// Ctrl/Cmd+Enter submits, and Escape then Tab (or Shift+Tab) leaves the
// editor, so keyboard users are never trapped.
//
// attachEditor returns { value (get/set), focus(), setLanguage(name) }; the
// textarea always holds the current code too, so a form or a test may read it.

const INDENT = '    ';
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta']);

export function attachEditor(textarea, { onSubmit, onChange, label }) {
  const CM = window.CodeMirror;
  return CM ? codeMirror(CM, textarea, { onSubmit, onChange, label }) : plain(textarea, { onSubmit, onChange });
}

function codeMirror(CM, textarea, { onSubmit, onChange, label }) {
  let escaped = false;
  const cm = CM.fromTextArea(textarea, {
    mode: null,
    lineNumbers: true,
    matchBrackets: true,
    indentUnit: 4,
    tabSize: 4,
    indentWithTabs: false,
    viewportMargin: Infinity,
    screenReaderLabel: label,
    extraKeys: {
      Tab: (c) => c.execCommand(c.somethingSelected() ? 'indentMore' : 'insertSoftTab'),
      'Shift-Tab': 'indentLess',
      'Ctrl-Enter': () => onSubmit(),
      'Cmd-Enter': () => onSubmit(),
      Esc: () => { escaped = true; },
    },
  });
  // After Escape, Tab (or Shift+Tab) is the browser's: CodeMirror leaves it
  // alone and the focus moves on.
  cm.on('keydown', (_, e) => {
    if (e.key === 'Tab' && escaped) {
      e.codemirrorIgnore = true;
      escaped = false;
    } else if (e.key !== 'Escape' && !MODIFIERS.has(e.key)) {
      escaped = false;
    }
  });
  cm.on('blur', () => { escaped = false; });
  cm.on('change', () => {
    cm.save();
    onChange();
  });
  textarea.cm = cm;
  return {
    get value() { return cm.getValue(); },
    set value(text) {
      cm.setValue(text);
      cm.save();
    },
    focus: () => cm.focus(),
    setLanguage: (name) => loadMode(CM, name).then(() => cm.setOption('mode', name), () => {}),
  };
}

const modes = new Map();

/** Loads CodeMirror's mode `name` once (its script, served from /vendor). */
function loadMode(CM, name) {
  if (CM.modes[name]) return Promise.resolve();
  if (!/^[a-z0-9-]+$/.test(name)) return Promise.reject(new Error(`no mode ${name}`));
  if (!modes.has(name)) {
    modes.set(name, new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = `/vendor/codemirror/mode/${name}/${name}.js`;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    }));
  }
  return modes.get(name);
}

function plain(textarea, { onSubmit, onChange }) {
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
    // Shift on its way to Shift+Tab must not cancel the Escape.
    if (MODIFIERS.has(e.key)) return;
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
  textarea.addEventListener('blur', () => { escaped = false; });
  textarea.addEventListener('input', onChange);
  return {
    get value() { return textarea.value; },
    set value(text) { textarea.value = text; },
    focus: () => textarea.focus(),
    setLanguage: () => {},
  };
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
