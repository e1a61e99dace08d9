/* render.c - the render calls: template -> tree -> fill ->
 * layout -> PDF, and safe output to files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmark-gfm.h>

#include "breaks.h"
#include "data.h"
#include "engine.h"
#include "fill.h"
#include "fonts.h"
#include "layout.h"
#include "letterpress.h"
#include "markdown.h"
#include "pdf.h"
#include "render.h"
#include "template.h"
#include "typo.h"
#include "util.h"

static char *dup_or_null(const char *s) { return s ? lp_xstrdup(s) : NULL; }

/* Adds the directories of the template's font-path (comma-separated,
 * relative to the template) to the engine's font set. */
static bool add_template_fonts(lp_engine *e, const lp_template *tpl,
                               lp_error *err) {
  const lp_meta *m = &tpl->meta;
  for (const char *p = m->font_path; p && *p;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    while (n && *p == ' ') p++, n--;
    while (n && p[n - 1] == ' ') n--;
    lp_buf dir = {0};
    if (n && p[0] != '/' && tpl->base_dir && *tpl->base_dir)
      lp_buf_printf(&dir, "%s/", tpl->base_dir);
    lp_buf_append(&dir, p, n);
    lp_buf_append(&dir, "", 1);
    bool ok = !n || lp_fonts_add_dir(e->fonts, (char *)dir.data, err);
    if (!ok && err) {
      char *why = lp_xstrdup(err->message);
      lp_fail(err, LP_ERR_INPUT, m->font_path_line ? tpl->name : "--meta",
              m->font_path_line, m->font_path_column, "font-path '%.*s': %.300s",
              (int)(n > 120 ? 120 : n), p, why);
      free(why);
    }
    lp_buf_free(&dir);
    if (!ok) return false;
    p = end ? end + 1 : NULL;
  }
  return true;
}

/* Fills the front-matter texts that hold placeholders (texts[k] stays
 * NULL for the others) as the body is filled; false (all freed) when a
 * name is missing. */
static bool fill_texts(const lp_template *tpl, const lp_render_options *opts,
                       bool survey, lp_fill *texts[LP_TEXT_COUNT],
                       lp_error *err) {
  for (int k = 0; k < LP_TEXT_COUNT; k++) {
    const lp_fill_program *p = tpl->meta.fill[k];
    if (!p) continue;
    texts[k] = survey ? lp_fill_expand_all(p)
                      : lp_fill_expand(p, opts->data, opts->blanks, err);
    if (!texts[k]) {
      for (int j = 0; j < k; j++) lp_fill_free(texts[j]), texts[j] = NULL;
      return false;
    }
  }
  return true;
}

/* Gives d the record's metadata texts that hold placeholders, filled. */
static void set_filled_meta(lp_display *d, lp_fill *const texts[]) {
  char **slots[] = {&d->meta.title, &d->meta.author, &d->meta.subject,
                    &d->meta.keywords};
  for (int k = 0; k < 4; k++)
    if (texts[k]) {
      free(*slots[k]);
      *slots[k] = lp_fill_text(texts[k]);
    }
}

bool lp_render_layout(lp_engine *e, const lp_template *tpl,
                      const lp_render_options *opts, bool survey,
                      lp_display *d, lp_error *err) {
  lp_render_options none = {0};
  if (!opts) opts = &none;
  if (!add_template_fonts(e, tpl, err)) return false;
  /* The front matter comes first in the file: its missing names first. */
  lp_fill *texts[LP_TEXT_COUNT] = {0};
  if (!fill_texts(tpl, opts, survey, texts, err)) return false;
  lp_fill *f = survey ? lp_fill_expand_all(tpl->fill)
                      : lp_fill_expand(tpl->fill, opts->data, opts->blanks,
                                       err);
  if (!f) {
    for (int k = 0; k < LP_TEXT_COUNT; k++) lp_fill_free(texts[k]);
    return false;
  }
  set_filled_meta(d, texts);
  size_t n;
  const char *src = lp_fill_source(f, &n);
  cmark_node *doc = lp_markdown_parse(src, n, LP_MARKDOWN_LETTER);
  /* Before the values go in (data is set as typed), and while the marks
   * of \" typed are in the text (typo.h). */
  if (doc) lp_typo_tree(doc, lp_template_typo(tpl), LP_LANG_CHAR);
  if (doc) lp_template_unmark_code(doc);
  bool ok = doc != NULL;
  if (!ok)
    lp_fail(err, LP_ERR_INPUT, tpl->name, tpl->body_line, 1,
            "cannot parse the Markdown body");
  if (ok && !lp_fill_tree(doc, f, err)) {
    /* The tree's lines count from the body's first line. */
    ok = false;
    if (err) {
      snprintf(err->file, sizeof err->file, "%s", tpl->name);
      if (err->line)
        err->line = lp_fill_file_line(f, err->line);
    }
  }
  if (ok) {
    lp_layout_env env = {e->fonts,     e->breaker,     e->shapes, f,
                         opts->warn,   opts->warn_ctx, &e->limits,
                         d->meta.title ? d->meta.title : tpl->meta.title,
                         texts[LP_TEXT_HEADER], texts[LP_TEXT_FOOTER],
                         e->images};
    ok = lp_layout_document(&env, tpl, doc, d, err);
  }
  /* PDF/A-3 or attach-data: the record the letter was made from travels
   * with it, as JSON (pdf.c attaches it).  PDF/A-1 forbids embedded files
   * and PDF/A-2 allows only PDF/A ones. */
  if (ok && tpl->meta.attach_data &&
      (tpl->meta.pdfa_part == 1 || tpl->meta.pdfa_part == 2))
    ok = lp_fail(err, LP_ERR_INPUT, tpl->name, 0, 0,
                 "attach-data: PDF/A-%d may not carry the data as an "
                 "attachment: write pdf-standard a-3b (or a-3u, a-3a), or "
                 "leave attach-data out",
                 tpl->meta.pdfa_part);
  if (ok && (tpl->meta.pdfa_part == 3 || tpl->meta.attach_data) &&
      opts->data && opts->data->root && !d->meta.nattachments) {
    char *json =
        json_dumps(opts->data->root, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    if (json) lp_display_add_attachment(d, "data.json", json);
    free(json);
  }
  lp_fill_free(f);
  for (int k = 0; k < LP_TEXT_COUNT; k++) lp_fill_free(texts[k]);
  cmark_node_free(doc);
  return ok;
}

void lp_render_set_meta(lp_display *d, const lp_template *tpl) {
  const lp_meta *m = &tpl->meta;
  /* A text with placeholders was filled by lp_render_layout; a document
   * of several records (merge --combined) has no one value for it, and
   * leaves it out (its title: the first letter's). */
  char **slots[] = {&d->meta.title, &d->meta.author, &d->meta.subject,
                    &d->meta.keywords};
  for (int k = 0; k < 4; k++)
    if (!*slots[k] && !m->fill[k]) *slots[k] = dup_or_null(lp_meta_text(m, k));
  if (!d->meta.title && d->noutlines) /* the first letter's title */
    d->meta.title = dup_or_null(d->outlines[0].title);
  d->meta.creator = lp_xstrdup("letterpress " LP_VERSION_STRING);
  d->meta.lang = dup_or_null(lp_template_lang(tpl));
  d->meta.date = lp_source_date();
  d->meta.hinting = m->font_hinting;
  d->meta.tagged = !m->untagged;
  d->meta.pdfa_part = m->pdfa_part;
  d->meta.pdfa_level = m->pdfa_level;
  d->meta.pdfua = m->pdfua;
}

/* The first control character (C0 or DEL) of s (n bytes), or 0. */
static unsigned control_in(const char *s, size_t n) {
  for (size_t i = 0; s && i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) return (unsigned char)s[i];
  return 0;
}

/* Fails about control character c found in what, on page (from 1; 0: not
 * on a page). */
static bool control_error(unsigned c, const char *what, size_t page,
                          lp_error *err) {
  char where[64] = "";
  if (page) snprintf(where, sizeof where, " on page %zu", page);
  return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                 "a control character (U+%04X) would reach %s%s: this is a "
                 "bug of letterpress; please report it with the template",
                 c, what, where);
}

bool lp_render_check_text(const lp_display *d, lp_error *err) {
  for (size_t p = 0; p < d->npages; p++) {
    const lp_dpage *pg = &d->pages[p];
    for (size_t r = 0; r < pg->nruns; r++)
      for (size_t g = 0; g < pg->runs[r].count; g++) {
        const lp_dglyph *gl = &pg->runs[r].glyphs[g];
        unsigned c = control_in(gl->text, gl->text_len);
        if (c) return control_error(c, "the text", p + 1, err);
      }
    for (size_t f = 0; f < pg->nfields; f++) {
      const char *name = pg->fields[f].name;
      unsigned c = name ? control_in(name, strlen(name)) : 0;
      if (c) return control_error(c, "a field name", p + 1, err);
    }
  }
  for (size_t o = 0; o < d->noutlines; o++) {
    const char *t = d->outlines[o].title;
    unsigned c = t ? control_in(t, strlen(t)) : 0;
    if (c) return control_error(c, "an outline title", d->outlines[o].page + 1,
                                err);
  }
  const char *meta[] = {d->meta.title,   d->meta.author, d->meta.subject,
                        d->meta.keywords, d->meta.creator, d->meta.lang};
  for (size_t k = 0; k < sizeof meta / sizeof meta[0]; k++) {
    unsigned c = meta[k] ? control_in(meta[k], strlen(meta[k])) : 0;
    if (c) return control_error(c, "the metadata", 0, err);
  }
  return true;
}

/* PDF/A forbids encryption (ISO 19005-1 6.1.3, -2 and -3 6.1.3: no
 * /Encrypt in the trailer): a template claiming it cannot be protected. */
static bool check_encryptable(const lp_template *tpl, lp_error *err) {
  if (!tpl->meta.pdfa_part) return true;
  return lp_fail(err, LP_ERR_INPUT, tpl->name, 0, 0,
                 "--password: PDF/A-%d forbids encryption: leave pdf-standard "
                 "a-* out of the front matter (ua-1 alone is fine), or the "
                 "password off",
                 tpl->meta.pdfa_part);
}

/* Password-protects *out (replacing it) as opts->encrypt says. */
static bool protect(const lp_render_options *opts, lp_buf *out, lp_error *err) {
  unsigned char *enc = NULL;
  size_t n = 0;
  if (!lp_encrypt_memory(out->data, out->len, opts->encrypt, &enc, &n, err))
    return false;
  lp_buf_free(out);
  out->data = enc;
  out->len = out->cap = n;
  return true;
}

bool lp_render_to_memory(lp_engine *e, const lp_template *tpl,
                         const lp_render_options *opts, unsigned char **pdf,
                         size_t *len, lp_error *err) {
  lp_render_options none = {0};
  if (!opts) opts = &none;
  if (opts->encrypt && !check_encryptable(tpl, err)) return false;
  lp_display *d = lp_display_new();
  bool ok = lp_render_layout(e, tpl, opts, false, d, err);
  if (ok) {
    lp_render_set_meta(d, tpl);
    lp_buf out = {0};
    ok = lp_render_check_text(d, err) &&
         lp_pdf_write_cached(d, e->pdf_cache, &out, err);
    if (ok && opts->encrypt) ok = protect(opts, &out, err);
    if (ok && opts->sign) {
      unsigned char *signed_pdf = NULL;
      size_t signed_len = 0;
      lp_sign_options so = *opts->sign; /* signs what it just encrypted */
      so.password = opts->encrypt ? opts->encrypt->user_password : NULL;
      ok = lp_sign_memory(e, out.data, out.len, &so, &signed_pdf,
                          &signed_len, err);
      lp_buf_free(&out);
      out.data = signed_pdf;
      out.len = signed_len;
    }
    if (ok) {
      *pdf = out.data;
      *len = out.len;
    } else {
      lp_buf_free(&out);
    }
  }
  lp_display_free(d);
  return ok;
}

/* Bytes handed to a write callback at a time. */
#define CALLBACK_CHUNK (64 * 1024)

bool lp_render_to_callback(lp_engine *e, const lp_template *tpl,
                           const lp_render_options *opts, lp_write_fn write,
                           void *ctx, lp_error *err) {
  if (!write)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "lp_render_to_callback needs a write function");
  unsigned char *pdf = NULL;
  size_t len = 0;
  /* The whole PDF is made first (its cross-reference table and a signature
   * need every byte), so a failed render never calls write at all. */
  if (!lp_render_to_memory(e, tpl, opts, &pdf, &len, err)) return false;
  bool ok = true;
  for (size_t at = 0; ok && at < len; at += CALLBACK_CHUNK) {
    size_t n = len - at < CALLBACK_CHUNK ? len - at : CALLBACK_CHUNK;
    ok = write(ctx, pdf + at, n);
  }
  free(pdf);
  if (!ok)
    lp_fail(err, LP_ERR_IO, NULL, 0, 0,
            "the write callback refused the PDF's bytes");
  return ok;
}

/* Writes data to path atomically (see lp_write_file_atomic). */
static bool write_file_atomic(const char *path, const unsigned char *data,
                              size_t len, lp_error *err) {
  return lp_write_file_atomic(path, data, len, err);
}

bool lp_render_set_anchors(lp_engine *e, const lp_template *tpl,
                           lp_error *err) {
  lp_display *d = lp_display_new();
  lp_render_options opts = {0};
  opts.blanks = true;
  bool ok = lp_render_layout(e, tpl, &opts, true, d, err);
  if (ok) lp_embed_cache_set_anchors(e->pdf_cache, d);
  lp_display_free(d);
  return ok;
}

bool lp_render_write_display(lp_engine *e, lp_display *d,
                             const lp_template *tpl, const char *path,
                             lp_error *err) {
  lp_render_set_meta(d, tpl);
  lp_buf out = {0};
  bool ok = lp_render_check_text(d, err) &&
            lp_pdf_write_cached(d, e->pdf_cache, &out, err) &&
            write_file_atomic(path, out.data, out.len, err);
  lp_buf_free(&out);
  return ok;
}

bool lp_render_to_file(lp_engine *e, const lp_template *tpl,
                       const lp_render_options *opts, const char *path,
                       lp_error *err) {
  unsigned char *pdf = NULL;
  size_t len = 0;
  if (!lp_render_to_memory(e, tpl, opts, &pdf, &len, err)) return false;
  bool ok = write_file_atomic(path, pdf, len, err);
  free(pdf);
  return ok;
}
