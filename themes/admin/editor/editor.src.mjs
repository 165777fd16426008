// The newsroom's rich-text editor: Tiptap 3 over the article form's
// textarea. tools/build-editor.mjs bundles it to themes/admin/editor.js.
//
// Without this script the form works as it is (a textarea, HTML or
// Markdown). With it the textarea is hidden and always holds the editor's
// HTML, so the form's normal POST sends it; nothing is sent any other way
// except the autosave and the edit lock below.
//
// The page's contract (src/admin/editor.c writes it): #article-form with
// data-autosave, data-lock (absent on a new article) and data-dir; #body,
// #body_format, #editor-status; the words in <script id="editor-text">.
import { Editor } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';

const AUTOSAVE_MS = 30 * 1000;
const LOCK_MS = 60 * 1000; // the lock lasts about 150 s: two renewals fit

const form = document.getElementById('article-form');
const body = document.getElementById('body');
if (form && body) start(form, body);

function start(form, body) {
  const text = words();
  const status = document.getElementById('editor-status');
  const say = (msg) => {
    if (status && msg) status.textContent = msg;
  };
  const format = form.elements.namedItem('body_format');
  // Markdown stays in the textarea: converting it would change what the
  // writer typed.
  if (!format || format.value === 'html') mount(form, body, format, text);
  autosave(form, text, say);
  if (form.dataset.lock) lock(form, say);
}

// The words of the toolbar and the notices, in the interface language.
function words() {
  const el = document.getElementById('editor-text');
  try {
    return (el && JSON.parse(el.textContent)) || {};
  } catch {
    return {};
  }
}

function mount(form, body, format, text) {
  const dir = form.dataset.dir === 'ltr' ? 'ltr' : 'rtl';
  const label = document.querySelector(`label[for="${body.id}"]`);
  const wrap = document.createElement('div');
  wrap.className = 'editor';
  const bar = document.createElement('div');
  const area = document.createElement('div');
  area.className = 'editor-area';
  wrap.append(bar, area);
  body.after(wrap);

  let refresh = () => {}; // the toolbar's, once it exists
  const editor = new Editor({
    element: area,
    // 'rtl' and not 'auto': with 'auto' an Arabic paragraph that starts
    // with a Latin word ("Apple أعلنت") turns left-to-right.
    textDirection: dir,
    // Tiptap's own <style> would need 'unsafe-inline' in the CSP:
    // admin.css carries the few rules instead.
    injectCSS: false,
    extensions: [
      StarterKit.configure({
        // What the site's sanitizer keeps and the toolbar offers; the
        // rest would only be typed by Markdown shortcuts and then lost.
        code: false,
        codeBlock: false,
        strike: false,
        underline: false,
        horizontalRule: false,
        // No empty paragraph kept after a closing heading or list: it
        // would be saved with the article.
        trailingNode: false,
        link: {
          openOnClick: false,
          autolink: true,
          defaultProtocol: 'https',
          HTMLAttributes: { target: null, rel: null },
        },
      }),
    ],
    content: body.value,
    editorProps: {
      attributes: {
        'aria-label': label ? label.textContent.trim() : text.toolbar || '',
        'aria-multiline': 'true',
        spellcheck: 'true',
      },
    },
    onUpdate: ({ editor }) => {
      body.value = html(editor);
    },
    onTransaction: () => refresh(),
  });

  body.value = html(editor);
  body.hidden = true;
  if (label) label.htmlFor = '';
  if (format) {
    format.value = 'html';
    format.hidden = true;
    const flabel = document.querySelector(`label[for="${format.id}"]`);
    if (flabel) flabel.hidden = true;
  }
  // The label names the editing area now (the textarea is hidden): a
  // click on it focuses the editor.
  if (label) label.addEventListener('click', () => editor.commands.focus());

  refresh = toolbar(bar, editor, text, dir);
  refresh();
}

// What the form sends: an empty editor is an empty body, not "<p></p>".
function html(editor) {
  return editor.isEmpty ? '' : editor.getHTML();
}

// The block the caret is in: its direction, set or inherited.
function blockDir(editor, dflt) {
  const { $from } = editor.state.selection;
  for (let d = $from.depth; d > 0; d--) {
    const n = $from.node(d);
    if (n.isTextblock) return n.attrs.dir || dflt;
  }
  return dflt;
}

// Sets the direction of the text blocks in the selection only (not of
// the lists or quotes around them).
function setBlockDir(editor, to) {
  editor
    .chain()
    .focus()
    .command(({ tr, state }) => {
      const { from, to: end } = state.selection;
      state.doc.nodesBetween(from, end, (node, pos) => {
        if (!node.isTextblock) return true;
        tr.setNodeMarkup(pos, undefined, { ...node.attrs, dir: to });
        return false;
      });
      return true;
    })
    .run();
}

function toolbar(bar, editor, text, dflt) {
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', text.toolbar || '');
  bar.className = 'editor-toolbar';
  const chain = () => editor.chain().focus();
  const link = () => {
    if (editor.isActive('link')) {
      chain().extendMarkRange('link').unsetLink().run();
      return;
    }
    const href = window.prompt(text.link_prompt || '', 'https://');
    if (!href || href === 'https://') return;
    chain().extendMarkRange('link').setLink({ href }).run();
  };
  // [key, glyph, action, pressed?]: the glyph is what a sighted writer
  // sees, the key's word is what the button is called.
  const items = [
    ['bold', 'B', () => chain().toggleBold().run(), () => editor.isActive('bold')],
    ['italic', 'I', () => chain().toggleItalic().run(), () => editor.isActive('italic')],
    ['h2', 'H2', () => chain().toggleHeading({ level: 2 }).run(), () => editor.isActive('heading', { level: 2 })],
    ['h3', 'H3', () => chain().toggleHeading({ level: 3 }).run(), () => editor.isActive('heading', { level: 3 })],
    ['bullet', '•', () => chain().toggleBulletList().run(), () => editor.isActive('bulletList')],
    ['ordered', '1.', () => chain().toggleOrderedList().run(), () => editor.isActive('orderedList')],
    ['quote', '“', () => chain().toggleBlockquote().run(), () => editor.isActive('blockquote')],
    ['link', text.link || 'link', link, null], // named link or unlink
    ['undo', '↶', () => chain().undo().run(), null, () => editor.can().undo()],
    ['redo', '↷', () => chain().redo().run(), null, () => editor.can().redo()],
    ['rtl', 'RTL', () => setBlockDir(editor, 'rtl'), () => blockDir(editor, dflt) === 'rtl'],
    ['ltr', 'LTR', () => setBlockDir(editor, 'ltr'), () => blockDir(editor, dflt) === 'ltr'],
  ];
  const buttons = items.map(([key, glyph, act, pressed, enabled]) => {
    const b = document.createElement('button');
    b.type = 'button'; // never submits the form
    b.textContent = glyph;
    b.dataset.cmd = key;
    b.setAttribute('aria-label', text[key] || key);
    b.title = text[key] || key;
    // Keeps the editor's selection: a toolbar click must not move it.
    b.addEventListener('mousedown', (e) => e.preventDefault());
    // aria-disabled, not disabled: the button stays on the toolbar's
    // arrow-key path and its one tab stop never lands on nothing.
    b.addEventListener('click', () => {
      if (b.getAttribute('aria-disabled') !== 'true') act();
    });
    bar.append(b);
    return { b, key, pressed, enabled };
  });
  // One tab stop for the toolbar; arrows move along it (ARIA toolbar).
  let current = 0;
  const focusAt = (i) => {
    current = (i + buttons.length) % buttons.length;
    buttons.forEach((x, j) => (x.b.tabIndex = j === current ? 0 : -1));
    buttons[current].b.focus();
  };
  bar.addEventListener('keydown', (e) => {
    const rtl = getComputedStyle(bar).direction === 'rtl';
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[e.key];
    if (step) focusAt(current + step);
    else if (e.key === 'Home') focusAt(0);
    else if (e.key === 'End') focusAt(buttons.length - 1);
    else return;
    e.preventDefault();
  });
  buttons.forEach((x, j) => (x.b.tabIndex = j === 0 ? 0 : -1));
  return () => {
    for (const { b, key, pressed, enabled } of buttons) {
      if (pressed) b.setAttribute('aria-pressed', String(!!pressed()));
      if (enabled) b.setAttribute('aria-disabled', String(!enabled()));
      if (key === 'link') b.setAttribute('aria-label', (editor.isActive('link') ? text.unlink : text.link) || key);
      if (key === 'link') b.title = b.textContent = b.getAttribute('aria-label');
    }
  };
}

// ---- autosave ----
// Every 30 s when anything in the form changed since the last one, and
// when the page is hidden (the writer leaves). The text stays in the page
// whatever the answer: a failure only says so.
function autosave(form, text, say) {
  const url = form.dataset.autosave;
  if (!url) return;
  const fields = () => new URLSearchParams(new FormData(form)).toString();
  let last = fields();
  let busy = false;
  const changed = () => fields() !== last;

  const send = async () => {
    if (busy || !changed()) return;
    busy = true;
    const sent = fields();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
        },
        body: sent,
        credentials: 'same-origin',
      });
      let reply = {};
      try {
        reply = await res.json();
      } catch {
        reply = {};
      }
      if (res.ok) {
        last = sent;
        say(reply.notice || [text.autosaved, reply.saved].filter(Boolean).join(' '));
      } else {
        say(reply.notice || text.autosave_failed);
      }
    } catch {
      say(text.autosave_failed);
    } finally {
      busy = false;
    }
  };
  setInterval(send, AUTOSAVE_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden' || !changed()) return;
    // The page may be closing: a beacon outlives it (its answer is lost).
    const sent = fields();
    const blob = new Blob([sent], { type: 'application/x-www-form-urlencoded;charset=UTF-8' });
    if (navigator.sendBeacon && navigator.sendBeacon(url, blob)) last = sent;
    else send();
  });
}

// ---- the edit lock ----
// Renewed every 60 s while the page is open; shows who holds it when it
// is not this writer's.
function lock(form, say) {
  const url = form.dataset.lock;
  const status = document.getElementById('editor-status');
  let shown = ''; // the lock's notice on show, if any
  const csrf = form.elements.namedItem('csrf');
  const renew = async () => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
        },
        body: new URLSearchParams({ csrf: csrf ? csrf.value : '' }).toString(),
        credentials: 'same-origin',
      });
      const reply = await res.json();
      if (reply.notice && (!reply.mine || !res.ok)) {
        say(reply.notice);
        shown = reply.notice;
      } else if (reply.mine && shown) {
        // The lock is this writer's again: the old notice no longer holds.
        if (status && status.textContent === shown) status.textContent = '';
        shown = '';
      }
    } catch {
      // No answer: the next renewal tries again; the save says the rest.
    }
  };
  setInterval(renew, LOCK_MS);
}
