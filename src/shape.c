/* shape.c - itemization (fallback font, script) and HarfBuzz shaping. */
#include "shape.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

bool lp_is_cjk(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x11FF) ||   /* Hangul Jamo */
         (cp >= 0x2E80 && cp <= 0x2FDF) ||   /* radicals */
         (cp >= 0x3000 && cp <= 0x303F) ||   /* CJK symbols and punctuation */
         (cp >= 0x3040 && cp <= 0x30FF) ||   /* kana */
         (cp >= 0x3100 && cp <= 0x31FF) ||   /* bopomofo, kana ext. */
         (cp >= 0x3200 && cp <= 0x9FFF) ||   /* enclosed, ext. A, URO */
         (cp >= 0xAC00 && cp <= 0xD7AF) ||   /* Hangul syllables */
         (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility ideographs */
         (cp >= 0xFE30 && cp <= 0xFE4F) ||   /* compatibility forms */
         (cp >= 0xFF00 && cp <= 0xFF60) ||   /* full-width forms */
         (cp >= 0xFFE0 && cp <= 0xFFE6) ||
         (cp >= 0x20000 && cp <= 0x3FFFF);   /* ideograph ext. B and on */
}

bool lp_is_ideo(uint32_t cp) {
  return (cp >= 0x3040 && cp <= 0x309F && cp != 0x309B && cp != 0x309C) ||
         (cp >= 0x30A0 && cp <= 0x30FA) || (cp >= 0x31F0 && cp <= 0x31FF) ||
         (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

bool lp_is_alnum(uint32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
         (cp >= 'a' && cp <= 'z') ||
         (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
         (cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x400 && cp <= 0x4FF) ||
         (cp >= 0x1E00 && cp <= 0x1EFF);
}

/* Whether cp is punctuation that a CJK font sets full-width and that
 * HarfBuzz's `halt` can compress: brackets, quotes, commas, full stops,
 * colons and middle dots (jlreq cl-01, 02, 05, 06, 07).  The dividing
 * marks ？ and ！ (cl-04) keep their full width. */
static bool is_cjk_punct(uint32_t cp) {
  if (cp == 0xFF01 || cp == 0xFF1F) return false;
  return (cp >= 0x3001 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
         (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
         (cp >= 0xFF5B && cp <= 0xFF65) || (cp >= 0x2018 && cp <= 0x201F) ||
         cp == 0x00B7 || cp == 0x30FB;
}

static bool is_common_script(hb_script_t s) {
  return s == HB_SCRIPT_COMMON || s == HB_SCRIPT_INHERITED ||
         s == HB_SCRIPT_UNKNOWN;
}

/* Whether face has a glyph for cp. */
static bool face_has(lp_face *face, uint32_t cp) {
  hb_codepoint_t g;
  return face && hb_font_get_nominal_glyph(face->hb_font, cp, &g);
}

static lp_sglyph *new_glyph(lp_shaped *out) {
  LP_GROW(out->glyphs, out->cap, out->count + 1);
  lp_sglyph *g = &out->glyphs[out->count++];
  memset(g, 0, sizeof *g);
  return g;
}

/* Fills buf with the item [start, end) of text (the whole text is context
 * for contextual shaping) and shapes it in face with the given features. */
static void shape_buffer(hb_buffer_t *buf, const char *text, size_t len,
                         size_t start, size_t end, lp_face *face,
                         hb_script_t script, hb_language_t language,
                         const hb_feature_t *features, unsigned nfeatures) {
  hb_buffer_clear_contents(buf);
  hb_buffer_add_utf8(buf, text, (int)len, (unsigned)start,
                     (int)(end - start));
  hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
  hb_buffer_set_script(buf, script);
  hb_buffer_set_language(buf, language);
  hb_buffer_set_cluster_level(buf,
                              HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
  hb_shape(face->hb_font, buf, features, nfeatures);
}

/* Records how far each CJK punctuation glyph of the item may be compressed:
 * the difference between its normal advance and its advance under the
 * font's `halt` (alternate half widths) feature, which knows on which side
 * each mark's blank half lies in this locale's forms (clreq and jlreq both
 * let punctuation be set half-width to adjust a line; see lay_para.c).  The
 * item is shaped again with `halt` on; glyphs pair up one to one, since
 * `halt` only repositions. */
static void measure_halt(hb_buffer_t *buf, const char *text, size_t len,
                         size_t start, size_t end, lp_face *face,
                         hb_script_t script, hb_language_t language,
                         double scale, lp_shaped *out, size_t first) {
  static const hb_feature_t halt = {HB_TAG('h', 'a', 'l', 't'), 1, 0,
                                    (unsigned)-1};
  shape_buffer(buf, text, len, start, end, face, script, language, &halt, 1);
  unsigned n = 0;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, &n);
  if (n != out->count - first) return;
  for (unsigned i = 0; i < n; i++) {
    lp_sglyph *g = &out->glyphs[first + i];
    if (info[i].codepoint != g->gid) return;
    size_t k = g->cluster;
    int32_t cp = lp_utf8_next(text, len, &k);
    double shrink = g->advance - pos[i].x_advance * scale;
    if (cp < 0 || !is_cjk_punct((uint32_t)cp) || shrink <= 1e-9) continue;
    g->shrink = shrink;
    g->shift = (pos[i].x_offset * scale - g->x_offset) / shrink;
  }
}

/* Shapes one item [start, end) of text in face with HarfBuzz and appends
 * its glyphs; the whole text is given as context for contextual shaping. */
static void shape_item(hb_buffer_t *buf, const char *text, size_t len,
                       size_t start, size_t end, lp_face *face,
                       hb_script_t script, hb_language_t language,
                       const lp_span *span, uint32_t span_index,
                       lp_shaped *out) {
  shape_buffer(buf, text, len, start, end, face, script, language, NULL, 0);
  unsigned n = 0;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, &n);
  double scale = span->size / face->upem;
  size_t first = out->count;
  for (unsigned i = 0; i < n; i++) {
    lp_sglyph *g = new_glyph(out);
    g->face = face;
    g->gid = info[i].codepoint;
    g->advance = pos[i].x_advance * scale;
    g->x_offset = pos[i].x_offset * scale;
    g->y_offset = pos[i].y_offset * scale;
    g->cluster = info[i].cluster;
    g->span = span_index;
    g->size = span->size;
    if (i == 0 || info[i].cluster != info[i - 1].cluster)
      g->flags |= LP_SG_CLUSTER_START;
  }
  /* Cluster ends, and flags from the cluster's first character. */
  bool punct = false;
  for (size_t i = first; i < out->count; i++) {
    lp_sglyph *g = &out->glyphs[i];
    size_t j = i + 1;
    while (j < out->count && out->glyphs[j].cluster == g->cluster) j++;
    g->cluster_end = j < out->count ? out->glyphs[j].cluster : (uint32_t)end;
    size_t k = g->cluster;
    int32_t cp = lp_utf8_next(text, len, &k);
    if (cp == ' ') g->flags |= LP_SG_SPACE;
    if (cp > 0 && lp_is_cjk((uint32_t)cp)) g->flags |= LP_SG_CJK;
    if (cp > 0 && lp_is_ideo((uint32_t)cp)) g->flags |= LP_SG_IDEO;
    if (cp > 0 && lp_is_alnum((uint32_t)cp)) g->flags |= LP_SG_ALNUM;
    if (cp > 0 && is_cjk_punct((uint32_t)cp)) punct = true;
    if (g->gid == 0 && out->nmissing < 10000 && cp > ' ') {
      LP_GROW(out->missing, out->missing_cap, out->nmissing + 1);
      out->missing[out->nmissing++] = g->cluster;
      g->flags |= LP_SG_NOTDEF;
    }
  }
  if (punct && face->has_halt)
    measure_halt(buf, text, len, start, end, face, script, language, scale,
                 out, first);
}

/* Appends the pseudo-glyph of a blank covering [start, end). */
static void add_blank(lp_shaped *out, size_t start, size_t end,
                      const lp_span *span, uint32_t span_index) {
  lp_sglyph *g = new_glyph(out);
  g->flags = LP_SG_BLANK | LP_SG_CLUSTER_START;
  g->advance = (double)(end - start) * LP_BLANK_EM * span->size;
  g->cluster = (uint32_t)start;
  g->cluster_end = (uint32_t)end;
  g->span = span_index;
}

/* Itemization: within a span, a new item starts where the font or the
 * (non-common) script changes.  Characters of common script (spaces,
 * punctuation, digits) stay in the current item while its font has them, so
 * "，" after Han text is shaped with the Han font, and kerning and CJK
 * punctuation features see whole runs. */
void lp_shape(const char *text, size_t len, const lp_span *spans,
              size_t nspans, const char *lang, lp_shaped *out) {
  hb_buffer_t *buf = hb_buffer_create();
  hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
  hb_language_t language = hb_language_from_string(lang ? lang : "en", -1);
  bool cjk = lp_lang_is_cjk(lang);
  for (size_t s = 0; s < nspans; s++) {
    const lp_span *span = &spans[s];
    size_t i = span->start;
    while (i < span->end) {
      unsigned char c = (unsigned char)text[i];
      if (c == '\n') {
        i++;
        continue;
      }
      if (c == (unsigned char)LP_BLANK_CHAR ||
          c == (unsigned char)LP_SIGNATURE_CHAR) {
        size_t j = i;
        while (j < span->end && text[j] == (char)c) j++;
        add_blank(out, i, j, span, (uint32_t)s);
        if (c == (unsigned char)LP_SIGNATURE_CHAR)
          out->glyphs[out->count - 1].flags |= LP_SG_SIGNATURE;
        i = j;
        continue;
      }
      size_t start = i;
      lp_face *face = NULL;
      hb_script_t script = HB_SCRIPT_COMMON;
      while (i < span->end) {
        c = (unsigned char)text[i];
        if (c == '\n' || c == (unsigned char)LP_BLANK_CHAR ||
            c == (unsigned char)LP_SIGNATURE_CHAR)
          break;
        size_t next = i;
        int32_t cp = lp_utf8_next(text, span->end, &next);
        if (cp < 0) cp = 0xFFFD;
        hb_script_t sc = hb_unicode_script(uf, (hb_codepoint_t)cp);
        bool common = is_common_script(sc);
        lp_face *want = NULL;
        /* Letters and digits take the chain's face for them (in CJK text,
         * its Latin face); quotes, dashes and the ellipsis in CJK text take
         * the CJK face (full-width, as clreq sets them) even after Latin. */
        if (common && !lp_is_alnum((uint32_t)cp) &&
            !(cjk && is_cjk_punct((uint32_t)cp)) &&
            !(cjk && (cp == 0x2014 || cp == 0x2026)) &&
            face_has(face, (uint32_t)cp)) {
          want = face;
        } else {
          want = lp_chain_face_for(span->chain, (uint32_t)cp);
          if (!want) want = face ? face : lp_chain_main_face(span->chain);
        }
        if (face && (want != face ||
                     (!common && !is_common_script(script) && sc != script)))
          break;
        face = want;
        if (!common && is_common_script(script)) script = sc;
        i = next;
      }
      if (is_common_script(script)) script = HB_SCRIPT_LATIN;
      shape_item(buf, text, len, start, i, face, script, language, span,
                 (uint32_t)s, out);
    }
  }
  hb_buffer_destroy(buf);
}

/* The glyph that ends the cluster before glyph k (k > 0). */
static lp_sglyph *cluster_before(lp_shaped *s, size_t k) {
  return &s->glyphs[k - 1];
}

/* The first code point of glyph g's cluster. */
static uint32_t cluster_cp(const char *text, size_t len, const lp_sglyph *g) {
  size_t k = g->cluster;
  int32_t cp = lp_utf8_next(text, len, &k);
  return cp < 0 ? 0 : (uint32_t)cp;
}

/* Quarter-em spacing between Han or kana and Latin letters or digits:
 * clreq "Spacing between Chinese and Western characters" (中西间距) and
 * jlreq's spacing between Japanese and Western characters (和欧間隔) ask for
 * a quarter em (at most; zero where punctuation comes between).  A space
 * typed there becomes that quarter em; otherwise the gap is added after the
 * left glyph (and dropped if a line ends there).
 *
 * Consecutive punctuation: jlreq 3.1.4 and clreq "标点符号的挤压" set a
 * closing mark followed by any other compressible mark, and an opening
 * bracket after another opening bracket, half-width, so that "。」" or
 * "）（" do not open a full em of blank between the marks.  In Japanese a
 * middle dot, colon or semicolon (jlreq cl-05, centred in the em) before
 * an opening bracket keeps its own quarter em after it and the bracket
 * loses its blank half (jlreq 3.1.4 and its table of spacing between
 * classes: cl-05 to cl-01 is a quarter em), so "名称：「" no longer opens
 * three quarters of an em. */
void lp_shape_space_cjk(const char *text, size_t len, const char *lang,
                        lp_shaped *s) {
  bool ja = lp_lang_is(lang, "ja");
  for (size_t k = 1; k < s->count; k++) {
    lp_sglyph *b = &s->glyphs[k];
    if (!(b->flags & LP_SG_CLUSTER_START)) continue;
    lp_sglyph *a = cluster_before(s, k);
    bool ab = (a->flags & LP_SG_IDEO) && (b->flags & LP_SG_ALNUM);
    bool ba = (a->flags & LP_SG_ALNUM) && (b->flags & LP_SG_IDEO);
    if (ab || ba) a->gap = 0.25 * b->size;
    if ((b->flags & LP_SG_SPACE) && k + 1 < s->count &&
        cluster_cp(text, len, b) == ' ') {
      lp_sglyph *c = &s->glyphs[k + 1];
      if (((a->flags & LP_SG_IDEO) && (c->flags & LP_SG_ALNUM)) ||
          ((a->flags & LP_SG_ALNUM) && (c->flags & LP_SG_IDEO)))
        b->advance = 0.25 * b->size;
    }
    if (a->shrink > 0 && b->shrink > 0) {
      bool a_closing = a->shift > -0.25, b_opening = b->shift < -0.75;
      bool a_opening = a->shift < -0.75;
      bool a_centred = ja && !a_closing && !a_opening;
      lp_sglyph *g = a_closing                          ? a
                     : (a_opening || a_centred) && b_opening ? b
                                                             : NULL;
      if (g) {
        g->advance -= g->shrink;
        g->x_offset += g->shift * g->shrink;
        g->squeezed = g->shrink;
        g->shrink = 0;
      }
    }
  }
}

void lp_shaped_free(lp_shaped *s) {
  free(s->glyphs);
  free(s->missing);
  memset(s, 0, sizeof *s);
}

/* ---- Shaping through a memo ------------------------------------------ */

/* The part of a span that shaping depends on, without padding bytes. */
typedef struct span_key {
  uint64_t start, end;
  uint64_t chain; /* the chain's address */
  double size;
  uint64_t flags;
} span_key;

/* Serializes what lp_shape's output depends on into key. */
static void shape_key(const char *text, size_t len, const lp_span *spans,
                      size_t nspans, const char *lang, lp_buf *key) {
  lp_buf_append(key, text, len);
  for (size_t s = 0; s < nspans; s++) {
    span_key k = {spans[s].start, spans[s].end,
                  (uint64_t)(uintptr_t)spans[s].chain, spans[s].size,
                  spans[s].flags};
    lp_buf_append(key, &k, sizeof k);
  }
  const char *l = lang ? lang : "en"; /* as lp_shape reads it */
  lp_buf_append(key, l, strlen(l) + 1);
}

/* A memo value: the glyph and missing counts, the glyphs, the offsets. */
typedef struct shape_counts {
  uint64_t count, nmissing;
} shape_counts;

void lp_shape_cached(lp_memo *memo, const char *text, size_t len,
                     const lp_span *spans, size_t nspans, const char *lang,
                     lp_shaped *out) {
  if (!memo) {
    lp_shape(text, len, spans, nspans, lang, out);
    return;
  }
  lp_buf key = {0};
  shape_key(text, len, spans, nspans, lang, &key);
  size_t vlen;
  const unsigned char *v = lp_memo_get(memo, key.data, key.len, &vlen);
  if (v) {
    shape_counts c;
    memcpy(&c, v, sizeof c);
    if (c.count) {
      LP_GROW(out->glyphs, out->cap, out->count + c.count);
      memcpy(out->glyphs + out->count, v + sizeof c,
             c.count * sizeof *out->glyphs);
      out->count += c.count;
    }
    if (c.nmissing) {
      LP_GROW(out->missing, out->missing_cap, out->nmissing + c.nmissing);
      memcpy(out->missing + out->nmissing,
             v + sizeof c + c.count * sizeof *out->glyphs,
             c.nmissing * sizeof *out->missing);
      out->nmissing += c.nmissing;
    }
    lp_buf_free(&key);
    return;
  }
  size_t first = out->count, first_missing = out->nmissing;
  lp_shape(text, len, spans, nspans, lang, out);
  shape_counts c = {out->count - first, out->nmissing - first_missing};
  lp_buf value = {0};
  lp_buf_append(&value, &c, sizeof c);
  if (c.count)
    lp_buf_append(&value, out->glyphs + first, c.count * sizeof *out->glyphs);
  if (c.nmissing)
    lp_buf_append(&value, out->missing + first_missing,
                  c.nmissing * sizeof *out->missing);
  lp_memo_put(memo, key.data, key.len, value.data, value.len);
  lp_buf_free(&value);
  lp_buf_free(&key);
}
