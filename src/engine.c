/* engine.c - the engine: fonts, line breaker, shaped paragraphs, limits
 * and subset cache, made once and used by every render. */
#include "engine.h"

#include <stdlib.h>

#include "util.h"

/* The most the engine keeps of shaped paragraphs. */
#define SHAPES_MEMO_BYTES (4u << 20)

lp_limits lp_limits_default(void) {
  return (lp_limits){LP_DEFAULT_MAX_INPUT_BYTES, LP_DEFAULT_MAX_PAGES,
                     LP_DEFAULT_MAX_DEPTH, LP_DEFAULT_MAX_IMAGE_PIXELS};
}

void lp_engine_set_limits(lp_engine *e, const lp_limits *limits) {
  e->limits = *limits;
}

const lp_limits *lp_engine_limits(const lp_engine *e) { return &e->limits; }

const char *lp_version(void) { return LP_VERSION_STRING; }

lp_engine *lp_engine_new(const char *fontconfig_file, lp_error *err) {
  lp_fonts *fonts = lp_fonts_new(fontconfig_file, err);
  if (!fonts) return NULL;
  lp_engine *e = lp_xcalloc(1, sizeof *e);
  e->fonts = fonts;
  e->breaker = lp_breaker_new();
  e->shapes = lp_memo_new(SHAPES_MEMO_BYTES);
  e->limits = lp_limits_default();
  e->pdf_cache = lp_embed_cache_new();
  e->images = lp_image_cache_new();
  return e;
}

lp_fonts *lp_engine_fonts(lp_engine *e) { return e->fonts; }

bool lp_engine_add_font_dir(lp_engine *e, const char *dir, lp_error *err) {
  return lp_fonts_add_dir(e->fonts, dir, err);
}

void lp_engine_use_system_fonts(lp_engine *e, bool on) {
  lp_fonts_use_system(e->fonts, on);
}

void lp_engine_free(lp_engine *e) {
  if (!e) return;
  lp_fonts_free(e->fonts);
  lp_breaker_free(e->breaker);
  lp_memo_free(e->shapes);
  lp_embed_cache_free(e->pdf_cache);
  lp_image_cache_free(e->images);
  free(e);
}

bool lp_engine_describe_fonts(lp_engine *e, const char *lang, char **out,
                              lp_error *err) {
  lp_buf b = {0};
  if (!lp_fonts_describe(e->fonts, lang, &b, err)) {
    lp_buf_free(&b);
    return false;
  }
  *out = lp_buf_strdup(&b);
  lp_buf_free(&b);
  return true;
}
