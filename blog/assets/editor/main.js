/*
 * The editor of posts and pages: CodeMirror 6 on the left, the page's own rendering on the
 * right.
 *
 * Bundled by esbuild (`npm run build`, run by `make install`) into build/editor/editor.js,
 * served as static/vendor/editor/editor.js. The page (templates/admin/blog/
 * editor_change_form.html) keeps Django's form: the editor writes into the body textarea, so the
 * ordinary 保存 buttons work with or without this script.
 *
 * Preview: on each change, the block at the cursor is rendered by the server at once (a few
 * milliseconds) and swapped into the preview frame; when typing pauses, the whole body is
 * rendered and only the blocks whose HTML changed are replaced (editor-frame.js).
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { markdown } from "@codemirror/lang-markdown";
import { syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { search, searchKeymap } from "@codemirror/search";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine } from "@codemirror/view";

import { countWords, nextEquationLabel } from "./text.js";
import { pictureSource } from "./pictures.js";

const BLOCK_DELAY = 20; // ms after a keystroke before the cursor's block is rendered
const BODY_DELAY = 600; // ms of quiet before the whole body is rendered again
const AUTOSAVE_EVERY = 5000;

function csrfToken(form) {
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function post(url, form, fields) {
  const data = new FormData();
  Object.entries(fields).forEach(([name, value]) => data.append(name, value));
  return fetch(url, {
    method: "POST",
    body: data,
    headers: { "X-CSRFToken": csrfToken(form) },
    credentials: "same-origin",
  });
}

function element(tag, attributes = {}, text = "") {
  const el = document.createElement(tag);
  Object.entries(attributes).forEach(([name, value]) => el.setAttribute(name, value));
  if (text) el.textContent = text;
  return el;
}

function now() {
  return new Date().toTimeString().slice(0, 8);
}

class PostEditor {
  constructor(form, textarea, config) {
    this.form = form;
    this.textarea = textarea;
    this.title = form.querySelector("#id_title");
    this.config = config;
    this.savedText = this.snapshot(textarea.value);
    this.autosavedText = this.savedText;
    this.blockTimer = null;
    this.bodyTimer = null;
    this.docVersion = 0;
    this.syncing = null;
    this.buildLayout();
    this.view = new EditorView({
      parent: this.sourcePane,
      state: EditorState.create({ doc: textarea.value, extensions: this.extensions() }),
    });
    this.frame.addEventListener("load", () => this.frameLoaded());
    this.frame.src = config.frame_url;
    if (this.title) this.title.addEventListener("input", () => this.titleChanged());
    this.offerRestore();
    this.updateCounts();
    // Posts keep a draft slot; pages have none (their config names no autosave_url).
    if (config.autosave_url) setInterval(() => this.autosave(), AUTOSAVE_EVERY);
    window.addEventListener("beforeunload", (event) => {
      if (!this.submitting && this.isDirty()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    form.addEventListener("submit", () => {
      this.syncTextarea();
      this.submitting = true;
    });
  }

  extensions() {
    return [
      lineNumbers(),
      history(),
      highlightActiveLine(),
      markdown(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      search(),
      EditorView.lineWrapping,
      EditorState.tabSize.of(4),
      EditorView.contentAttributes.of({
        "aria-label": this.config.labels.source,
        "aria-multiline": "true",
      }),
      keymap.of([
        { key: "Mod-s", preventDefault: true, run: () => (this.save(), true) },
        indentWithTab,
        ...defaultKeymap,
        ...historyKeymap,
        ...searchKeymap,
      ]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) this.docChanged(update);
        else if (update.selectionSet) this.markCursor();
      }),
      EditorView.domEventHandlers({
        scroll: () => this.sourceScrolled(),
        paste: (event) => this.dropFiles(event, event.clipboardData),
        drop: (event) => this.dropFiles(event, event.dataTransfer),
      }),
    ];
  }

  buildLayout() {
    const labels = this.config.labels;
    const row = this.textarea.closest(".form-row") || this.textarea.parentElement;
    this.root = element("div", { class: "post-editor", "data-tab": "source" });
    const toolbar = element("div", { class: "post-editor-toolbar", role: "toolbar", "aria-label": labels.toolbar });
    const tabs = element("div", { class: "post-editor-tabs", role: "tablist", "aria-label": labels.tabs });
    this.tabButtons = ["source", "preview"].map((name) => {
      const button = element("button", {
        type: "button",
        role: "tab",
        id: `post-editor-tab-${name}`,
        "aria-controls": `post-editor-${name}`,
        "aria-selected": name === "source" ? "true" : "false",
      }, labels[name]);
      button.addEventListener("click", () => this.showTab(name));
      tabs.append(button);
      return button;
    });
    const equation = element("button", { type: "button", class: "button" }, labels.equation);
    equation.addEventListener("click", () => this.insertEquation());
    const picture = element("button", { type: "button", class: "button" }, labels.picture);
    picture.addEventListener("click", () => this.insertPicture());
    const save = element("button", { type: "button", class: "button default", title: "Ctrl+S / ⌘S" }, labels.save);
    save.addEventListener("click", () => this.save());
    this.counts = element("span", { class: "post-editor-counts", "aria-live": "polite" });
    this.status = element("span", { class: "post-editor-status", role: "status", "aria-live": "polite" });
    toolbar.append(tabs, equation, picture, save, this.counts, this.status);
    if (this.config.history_url) {
      toolbar.append(element("a", { href: this.config.history_url, class: "post-editor-history" }, labels.history));
    }
    this.banner = element("div", { class: "post-editor-banner", hidden: "" });
    this.sourcePane = element("div", {
      class: "post-editor-source",
      id: "post-editor-source",
      role: "tabpanel",
      "aria-labelledby": "post-editor-tab-source",
    });
    const previewPane = element("div", {
      class: "post-editor-preview",
      id: "post-editor-preview",
      role: "tabpanel",
      "aria-labelledby": "post-editor-tab-preview",
    });
    this.frame = element("iframe", { title: labels.preview, class: "post-editor-frame" });
    previewPane.append(this.frame);
    const panes = element("div", { class: "post-editor-panes" });
    panes.append(this.sourcePane, previewPane);
    this.root.append(toolbar, this.banner, panes);
    row.after(this.root);
    this.textarea.hidden = true;
    this.textarea.setAttribute("aria-hidden", "true");
    const plainPreview = this.form.querySelector(".post-preview");
    if (plainPreview) plainPreview.remove();
  }

  showTab(name) {
    this.root.setAttribute("data-tab", name);
    this.tabButtons.forEach((button) => {
      button.setAttribute("aria-selected", button.id.endsWith(name) ? "true" : "false");
    });
    if (name === "preview") this.sourceScrolled();
  }

  // Text and title, to compare against what was saved and autosaved.
  snapshot(body) {
    return JSON.stringify([this.title ? this.title.value : "", body]);
  }

  text() {
    return this.view.state.doc.toString();
  }

  isDirty() {
    return this.snapshot(this.text()) !== this.savedText;
  }

  syncTextarea() {
    this.textarea.value = this.text();
  }

  // The preview.

  frameLoaded() {
    this.preview = this.frame.contentWindow;
    const start = () => {
      this.preview.previewFrame.setTitle(this.title ? this.title.value : "");
      this.renderBody();
      this.preview.addEventListener("scroll", () => this.previewScrolled());
    };
    if (this.preview.previewFrame) start();
    else this.preview.addEventListener("preview-ready", start);
  }

  titleChanged() {
    if (this.preview && this.preview.previewFrame) {
      this.preview.previewFrame.setTitle(this.title.value);
    }
  }

  docChanged(update) {
    this.docVersion += 1;
    this.syncTextarea();
    if (this.preview && this.preview.previewFrame) {
      // Blocks after the change moved: keep their source lines right until the next render.
      const frame = this.preview.previewFrame;
      const before = update.startState.doc;
      const after = update.state.doc;
      frame.setBlockLines(frame.blockLines().map((line) => {
        if (line > before.lines) return line;
        return after.lineAt(update.changes.mapPos(before.line(line).from, 1)).number;
      }));
    }
    clearTimeout(this.blockTimer);
    clearTimeout(this.bodyTimer);
    this.blockTimer = setTimeout(() => this.renderBlock(), BLOCK_DELAY);
    this.bodyTimer = setTimeout(() => this.renderBody(), BODY_DELAY);
    this.updateCounts();
  }

  cursorLine() {
    const state = this.view.state;
    return state.doc.lineAt(state.selection.main.head).number;
  }

  markCursor() {
    if (this.preview && this.preview.previewFrame) {
      this.preview.previewFrame.markLine(this.cursorLine());
    }
  }

  bodyFormat() {
    const field = this.form.querySelector("[name=body_format]");
    return field ? field.value : "markdown";
  }

  renderBlock() {
    // An HTML body has no Markdown blocks: the whole-body answer after a pause shows it.
    if (this.bodyFormat() !== "markdown") return;
    if (!this.preview || this.blockInFlight) {
      this.blockPending = true;
      return;
    }
    const version = this.docVersion;
    this.blockInFlight = true;
    this.blockPending = false;
    post(this.config.render_url, this.form, { body: this.text(), line: this.cursorLine() })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        // A later keystroke makes this answer stale: its own request follows.
        if (data && version === this.docVersion) {
          return this.preview.previewFrame.replaceLines(data.from_line, data.to_line, data.html);
        }
      })
      .catch((error) => console.error("preview:", error))
      .finally(() => {
        this.blockInFlight = false;
        if (this.blockPending || version !== this.docVersion) this.renderBlock();
      });
  }

  renderBody() {
    if (!this.preview) return;
    const version = this.docVersion;
    post(this.config.render_url, this.form, { body: this.text(), body_format: this.bodyFormat() })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data || version !== this.docVersion) return;
        this.formulas = data.formulas;
        this.updateCounts();
        return this.preview.previewFrame.setBody(data.html).then(() => this.sourceScrolled());
      })
      .catch((error) => console.error("preview:", error));
  }

  // Scroll in step: map the top source line to the preview blocks around it, and back.

  sourceScrolled() {
    if (this.syncing === "preview" || !this.preview || !this.preview.previewFrame) return;
    const view = this.view;
    const top = view.scrollDOM.scrollTop;
    const lineBlock = view.lineBlockAtHeight(top);
    const line = view.state.doc.lineAt(lineBlock.from).number;
    const within = lineBlock.height ? (top - lineBlock.top) / lineBlock.height : 0;
    const y = this.previewY(line + Math.min(Math.max(within, 0), 1));
    if (y === null) return;
    this.syncing = "source";
    this.preview.scrollTo(0, y);
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => (this.syncing = null), 80);
  }

  previewY(line) {
    const blocks = this.preview.previewFrame.blockPositions();
    if (!blocks.length) return null;
    let index = 0;
    while (index + 1 < blocks.length && blocks[index + 1].line <= line) index += 1;
    const block = blocks[index];
    const next = blocks[index + 1];
    const lastLine = next ? next.line : this.view.state.doc.lines + 1;
    const bottom = next ? next.top : block.bottom;
    const share = Math.min(Math.max((line - block.line) / Math.max(lastLine - block.line, 1), 0), 1);
    return line < block.line ? 0 : block.top + (bottom - block.top) * share;
  }

  previewScrolled() {
    if (this.syncing === "source") return;
    const blocks = this.preview.previewFrame.blockPositions();
    if (!blocks.length) return;
    const y = this.preview.scrollY;
    let index = 0;
    while (index + 1 < blocks.length && blocks[index + 1].top <= y) index += 1;
    const block = blocks[index];
    const next = blocks[index + 1];
    const bottom = next ? next.top : block.bottom;
    const share = bottom > block.top ? Math.min(Math.max((y - block.top) / (bottom - block.top), 0), 1) : 0;
    const lastLine = next ? next.line : this.view.state.doc.lines + 1;
    const line = block.line + (lastLine - block.line) * share;
    const doc = this.view.state.doc;
    const whole = Math.min(Math.max(Math.floor(line), 1), doc.lines);
    const lineBlock = this.view.lineBlockAt(doc.line(whole).from);
    this.syncing = "preview";
    this.view.scrollDOM.scrollTop = lineBlock.top + lineBlock.height * (line - Math.floor(line));
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => (this.syncing = null), 80);
  }

  // Helpers.

  insertText(text, cursorOffset = text.length) {
    const { from, to } = this.view.state.selection.main;
    this.view.dispatch({
      changes: { from, to, insert: text },
      selection: { anchor: from + cursorOffset },
      scrollIntoView: true,
    });
    this.view.focus();
  }

  insertEquation() {
    const label = nextEquationLabel(this.text());
    const head = `\n\\begin{equation}\n`;
    const text = `${head}\n\\label{${label}}\n\\end{equation}\n`;
    this.insertText(text, head.length);
  }

  insertPicture() {
    pictureSource.pick(this.config.labels).then((picture) => {
      if (picture) this.insertText(`\n![${picture.alt || ""}](${picture.url})\n`);
    });
  }

  dropFiles(event, transfer) {
    const files = transfer ? Array.from(transfer.files || []).filter((f) => f.type.startsWith("image/")) : [];
    if (!files.length || !pictureSource.canUpload()) return false;
    event.preventDefault();
    files.forEach((file) => {
      this.setStatus(this.config.labels.uploading);
      pictureSource.upload(file).then(
        (picture) => {
          this.insertText(`\n![${picture.alt || ""}](${picture.url})\n`);
          this.setStatus("");
        },
        (error) => {
          const reason = error && error.message ? ` ${error.message}` : "";
          this.setStatus(`${this.config.labels.upload_failed}${reason}`);
        },
      );
    });
    return true;
  }

  updateCounts() {
    const labels = this.config.labels;
    const words = countWords(this.text());
    const formulas = this.formulas === undefined ? "…" : this.formulas;
    this.counts.textContent = labels.counts.replace("%(words)s", words).replace("%(formulas)s", formulas);
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  // Saving: Ctrl/Cmd+S posts the admin form in the background; autosave keeps a draft slot.

  save() {
    const labels = this.config.labels;
    this.syncTextarea();
    const data = new FormData(this.form);
    data.append("_continue", "1");
    const text = this.snapshot(this.text());
    this.setStatus(labels.saving);
    return fetch(this.form.action || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
    }).then((response) => {
      const saved = response.ok && response.redirected && /\/\d+\/change\/$/.test(new URL(response.url).pathname);
      if (!saved) {
        // The form has errors: submit it normally so Django shows them, the text kept.
        this.setStatus(labels.save_failed);
        this.submitting = true;
        const button = this.form.querySelector("input[name=_continue]");
        this.form.requestSubmit(button || undefined);
        return;
      }
      this.savedText = text;
      this.autosavedText = text;
      const path = new URL(response.url).pathname;
      if (this.form.action !== response.url) {
        this.form.action = path;
        window.history.replaceState(null, "", path);
        if (this.config.autosave_url) this.config.autosave_url = path.replace(/change\/$/, "autosave/");
      }
      this.setStatus(labels.saved.replace("%(time)s", now()));
    }, () => this.setStatus(labels.save_failed_network));
  }

  autosave() {
    const text = this.snapshot(this.text());
    if (text === this.autosavedText || text === this.savedText) return;
    post(this.config.autosave_url, this.form, {
      title: this.title ? this.title.value : "",
      body: this.text(),
    }).then((response) => (response.ok ? response.json() : Promise.reject(response)))
      .then((data) => {
        this.autosavedText = text;
        // A save that finished meanwhile has the last word: its text is in the post now.
        if (text !== this.savedText) {
          this.setStatus(this.config.labels.autosaved.replace("%(time)s", data.saved_at));
        }
      })
      .catch(() => {
        if (text !== this.savedText) this.setStatus(this.config.labels.autosave_failed);
      });
  }

  offerRestore() {
    const slot = this.config.autosave;
    if (!slot) return;
    const labels = this.config.labels;
    this.banner.hidden = false;
    this.banner.setAttribute("role", "alert");
    const message = element("span", {}, labels.restore_offer.replace("%(time)s", slot.saved_at));
    const restore = element("button", { type: "button", class: "button" }, labels.restore);
    const dismiss = element("button", { type: "button", class: "button" }, labels.dismiss);
    restore.addEventListener("click", () => {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: slot.body } });
      if (this.title && slot.title) {
        this.title.value = slot.title;
        this.titleChanged();
      }
      this.banner.hidden = true;
      this.setStatus(labels.restored);
    });
    dismiss.addEventListener("click", () => (this.banner.hidden = true));
    this.banner.append(message, restore, dismiss);
  }
}

function start() {
  const config = document.getElementById("post-editor-config");
  const textarea = document.getElementById("id_body");
  if (!config || !textarea) return;
  const settings = JSON.parse(config.textContent);
  if (!settings) return;
  window.postEditor = new PostEditor(textarea.form, textarea, settings);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
