/* sigappear.c - draws a signature's visible appearance. */
#include "sigappear.h"

#include <string.h>
#include <time.h>

#include "locales.h"
#include "shape.h"

/* The appearance: lines of text fill at most this part of the field. */
#define APPEARANCE_MAX_SIZE 10.0
#define APPEARANCE_LEADING 1.2
#define APPEARANCE_PAD 2.0

/* Where glyph outlines go: the stream, and how font units map to pt. */
typedef struct pen {
  lp_buf *b;
  double x0, y0, scale; /* page offset of the glyph origin; pt per unit */
} pen;

/* Writes a point of an outline, in pt. */
static void pt(pen *p, float x, float y) {
  lp_buf_printf(p->b, "%.2f %.2f ", p->x0 + x * p->scale, p->y0 + y * p->scale);
}

/* HarfBuzz draw callbacks: each writes one path operator. */
static void move_to(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                    float x, float y, void *u) {
  (void)d, (void)st, (void)u;
  pt(data, x, y);
  lp_buf_puts(((pen *)data)->b, "m\n");
}

static void line_to(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                    float x, float y, void *u) {
  (void)d, (void)st, (void)u;
  pt(data, x, y);
  lp_buf_puts(((pen *)data)->b, "l\n");
}

/* A quadratic Bézier as the cubic with control points 2/3 of the way to
 * the quadratic's control point. */
static void quad_to(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                    float cx, float cy, float x, float y, void *u) {
  (void)d, (void)u;
  float x0 = st->current_x, y0 = st->current_y;
  pt(data, x0 + 2.0f / 3 * (cx - x0), y0 + 2.0f / 3 * (cy - y0));
  pt(data, x + 2.0f / 3 * (cx - x), y + 2.0f / 3 * (cy - y));
  pt(data, x, y);
  lp_buf_puts(((pen *)data)->b, "c\n");
}

static void cubic_to(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                     float c1x, float c1y, float c2x, float c2y, float x,
                     float y, void *u) {
  (void)d, (void)st, (void)u;
  pt(data, c1x, c1y);
  pt(data, c2x, c2y);
  pt(data, x, y);
  lp_buf_puts(((pen *)data)->b, "c\n");
}

static void close_path(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                       void *u) {
  (void)d, (void)st, (void)u;
  lp_buf_puts(((pen *)data)->b, "h\n");
}

/* Shapes a line of text in chain at size; returns its width. */
static double shape_line(const char *text, lp_chain *chain, double size,
                         lp_shaped *sh) {
  memset(sh, 0, sizeof *sh);
  lp_span span = {0, strlen(text), chain, size, 0};
  lp_shape(text, strlen(text), &span, 1, "und", sh);
  double w = 0;
  for (size_t i = 0; i < sh->count; i++) w += sh->glyphs[i].advance;
  return w;
}

/* The labels per language (the README lists them). */
lp_sign_labels lp_sign_labels_for(const char *lang) {
  /* Simplified or Traditional as the letter's Han forms are (locales.h:
   * zh-Hant, zh-TW, zh-HK, zh-MO, but zh-Hans-TW is Simplified). */
  if (lp_lang_is(lang, "zh"))
    return lp_locales_traditional(lang)
               ? (lp_sign_labels){"簽署人：", "日期：", "原因："}
               : (lp_sign_labels){"签署人：", "日期：", "原因："};
  if (lp_lang_is(lang, "ja")) return (lp_sign_labels){"署名者：", "日付：", "理由："};
  if (lp_lang_is(lang, "ko")) return (lp_sign_labels){"서명자: ", "날짜: ", "사유: "};
  return (lp_sign_labels){"", "Signed ", ""};
}

/* Draws the lines as filled glyph outlines (no font resource: any script,
 * nothing to embed) into a w x h box, as big as fits. */
static void draw_lines(lp_fonts *fonts, const char *const *lines, int n,
                       double w, double h, lp_buf *out) {
  lp_chain *chain = lp_fonts_chain(fonts, NULL, "en", LP_STYLE_REGULAR, NULL);
  if (!chain || n == 0) return;
  double size = (h - 2 * APPEARANCE_PAD) / (n * APPEARANCE_LEADING);
  if (size > APPEARANCE_MAX_SIZE) size = APPEARANCE_MAX_SIZE;
  for (int i = 0; i < n; i++) { /* shrink until every line fits */
    lp_shaped sh;
    double lw = shape_line(lines[i], chain, size, &sh);
    lp_shaped_free(&sh);
    if (lw > w - 2 * APPEARANCE_PAD && lw > 0)
      size *= (w - 2 * APPEARANCE_PAD) / lw;
  }
  hb_draw_funcs_t *df = hb_draw_funcs_create();
  hb_draw_funcs_set_move_to_func(df, move_to, NULL, NULL);
  hb_draw_funcs_set_line_to_func(df, line_to, NULL, NULL);
  hb_draw_funcs_set_quadratic_to_func(df, quad_to, NULL, NULL);
  hb_draw_funcs_set_cubic_to_func(df, cubic_to, NULL, NULL);
  hb_draw_funcs_set_close_path_func(df, close_path, NULL, NULL);
  lp_buf_puts(out, "q 0.05 0.15 0.45 rg\n");
  double top = (h + n * size * APPEARANCE_LEADING) / 2;
  for (int i = 0; i < n; i++) {
    lp_shaped sh;
    shape_line(lines[i], chain, size, &sh);
    double x = APPEARANCE_PAD, y = top - (i + 0.85) * size * APPEARANCE_LEADING;
    for (size_t k = 0; k < sh.count; k++) {
      const lp_sglyph *g = &sh.glyphs[k];
      if (g->face) {
        pen p = {out, x + g->x_offset, y + g->y_offset, size / g->face->upem};
        hb_font_get_glyph_shape(g->face->hb_font, g->gid, df, &p);
        lp_buf_puts(out, "f\n");
      }
      x += g->advance;
    }
    lp_shaped_free(&sh);
  }
  lp_buf_puts(out, "Q\n");
  hb_draw_funcs_destroy(df);
}

void lp_sigappear_draw(lp_fonts *fonts, const lp_sigappear *a, lp_buf *content) {
  char when[64];
  time_t tt = (time_t)a->when;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
  /* In the letter's language (its /Lang), as its reader reads it. */
  lp_sign_labels words = lp_sign_labels_for(a->lang);
  lp_buf l1 = {0};
  lp_buf_printf(&l1, "%s%s", words.signer, a->signer);
  lp_buf l2 = {0};
  lp_buf_printf(&l2, "%s%s", words.date, when);
  lp_buf l3 = {0}; /* reason and location share a line */
  if (a->reason) lp_buf_printf(&l3, "%s%s", words.reason, a->reason);
  if (a->reason && a->location) lp_buf_puts(&l3, " \xC2\xB7 "); /* · */
  if (a->location) lp_buf_puts(&l3, a->location);
  const char *lines[3] = {(char *)l1.data, (char *)l2.data, (char *)l3.data};
  draw_lines(fonts, lines, l3.len ? 3 : 2, a->w, a->h, content);
  lp_buf_free(&l1);
  lp_buf_free(&l2);
  lp_buf_free(&l3);
}
