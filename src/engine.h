/* engine.h - internal: what an lp_engine (letterpress.h) holds across
 * documents: fonts, the line breaker, shaped paragraphs, limits, the
 * subset cache and the image files read.  For the render calls (render.c; merge.c reads the limits
 * through render.h) and the signer (sign.c: the fonts of a signature's
 * appearance).  Callers outside the library see it opaque. */
#ifndef LP_ENGINE_H
#define LP_ENGINE_H

#include "breaks.h"
#include "embed.h"
#include "fonts.h"
#include "image.h"
#include "letterpress.h"
#include "memo.h"

struct lp_engine {
  lp_fonts *fonts;
  lp_breaker *breaker;
  lp_memo *shapes; /* the template's shaped paragraphs, reused */
  lp_limits limits;
  lp_embed_cache *pdf_cache; /* subsets kept across documents */
  lp_image_cache *images;    /* image files read and checked, reused */
};

/* The fonts of an engine. */
lp_fonts *lp_engine_fonts(lp_engine *engine);

/* The limits the engine's renders honour. */
const lp_limits *lp_engine_limits(const lp_engine *engine);

#endif
