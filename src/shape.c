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

/* Shapes one item [start, end) of text in face with HarfBuzz and appends
 * its glyphs; the whole text is given as context for contextual shaping. */
static void shape_item(hb_buffer_t *buf, const char *text, size_t len,
                       size_t start, size_t end, lp_face *face,
                       hb_script_t script, hb_language_t language,
                       const lp_span *span, uint32_t span_index,
                       lp_shaped *out) {
  hb_buffer_clear_contents(buf);
  hb_buffer_add_utf8(buf, text, (int)len, (unsigned)start,
                     (int)(end - start));
  hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
  hb_buffer_set_script(buf, script);
  hb_buffer_set_language(buf, language);
  hb_buffer_set_cluster_level(buf,
                              HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
  hb_shape(face->hb_font, buf, NULL, 0);
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
    if (i == 0 || info[i].cluster != info[i - 1].cluster)
      g->flags |= LP_SG_CLUSTER_START;
  }
  /* Cluster ends, and flags from the cluster's first character. */
  for (size_t i = first; i < out->count; i++) {
    lp_sglyph *g = &out->glyphs[i];
    size_t j = i + 1;
    while (j < out->count && out->glyphs[j].cluster == g->cluster) j++;
    g->cluster_end = j < out->count ? out->glyphs[j].cluster : (uint32_t)end;
    size_t k = g->cluster;
    int32_t cp = lp_utf8_next(text, len, &k);
    if (cp == ' ') g->flags |= LP_SG_SPACE;
    if (cp > 0 && lp_is_cjk((uint32_t)cp)) g->flags |= LP_SG_CJK;
    if (g->gid == 0 && out->nmissing < 10000 && cp > ' ') {
      LP_GROW(out->missing, out->missing_cap, out->nmissing + 1);
      out->missing[out->nmissing++] = g->cluster;
      g->flags |= LP_SG_NOTDEF;
    }
  }
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
        if (common && face_has(face, (uint32_t)cp)) {
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

void lp_shaped_free(lp_shaped *s) {
  free(s->glyphs);
  free(s->missing);
  memset(s, 0, sizeof *s);
}
