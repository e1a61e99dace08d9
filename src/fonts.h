/* fonts.h - font discovery (fontconfig), loading (FreeType + HarfBuzz) and
 * per-character fallback.
 *
 * The lp_fonts object owns every lp_face it hands out; faces live until
 * lp_fonts_free.  Faces are shared: the same file+index is loaded once.
 */
#ifndef LP_FONTS_H
#define LP_FONTS_H

#include <stdbool.h>
#include <stdint.h>

#include <hb.h>

#include "letterpress.h"
#include "util.h"

/* One loaded font face. */
typedef struct lp_face {
  int id;           /* index in the lp_fonts face table, 0-based */
  char *path;       /* font file */
  int index;        /* face index inside a collection (.ttc) */
  char *family;     /* fontconfig family name */
  char *ps_name;    /* PostScript name, e.g. "NotoSerifCJKsc-Regular" */
  hb_blob_t *blob;  /* the whole file */
  hb_face_t *hb_face;
  hb_face_t *subset_face; /* what hb-subset reads: see lp_face_subset_source */
  hb_font_t *hb_font; /* scale = upem: positions come in font units */
  unsigned upem;
  bool is_cff;      /* outlines in a 'CFF ' table (else TrueType 'glyf') */
  double ascender;  /* in em (1.0 = font size), positive */
  double descender; /* in em, negative */
  double cap_height;   /* in em */
  double bbox[4];      /* xMin, yMin, xMax, yMax of all glyphs, in em */
  double italic_angle; /* degrees, counter-clockwise from vertical */
  int weight;       /* fontconfig weight */
  bool bold, italic;
  bool has_halt;    /* GPOS has `halt` (half-width CJK punctuation) */
  bool has_han;     /* the cmap has Han ideographs (a CJK font) */
} lp_face;

/* Text style that selects a face. */
typedef enum {
  LP_STYLE_REGULAR = 0,
  LP_STYLE_BOLD = 1,
  LP_STYLE_ITALIC = 2,
  LP_STYLE_BOLD_ITALIC = 3,
  LP_STYLE_MONO = 4, /* code spans */
  LP_STYLE_COUNT = 5
} lp_style;

typedef struct lp_fonts lp_fonts;

/* Initialises fontconfig with config_file (NULL: system configuration, and
 * every installed font may be used).  With a config_file, chains draw only
 * from the declared font set (the Noto, DejaVu and Hanazono families that
 * `make deps` installs), the families a template names, and the fonts in
 * config_file's directory and in directories added with lp_fonts_add_dir. */
lp_fonts *lp_fonts_new(const char *config_file, lp_error *err);
void lp_fonts_free(lp_fonts *fonts);

/* Adds a directory of font files (searched with its subdirectories) whose
 * fonts join the set; chains made before do not see them.  False (err set,
 * naming dir) when it is not a readable directory. */
bool lp_fonts_add_dir(lp_fonts *fonts, const char *dir, lp_error *err);

/* With on, chains may draw from every font fontconfig knows, not only the
 * declared set; chains made before keep their fonts. */
void lp_fonts_use_system(lp_fonts *fonts, bool on);

/* What to do about a character no font of the set has, for people: the
 * Debian package that really has it when it is not installed (Han of
 * Extensions A-F: fonts-hanazono; emoji and pictographs of Unicode 9.0 and
 * before: fonts-symbola, named in the template's fonts), that no package
 * has it (newer emoji), else to add a font directory.  A static string:
 * the same advice is the same pointer. */
const char *lp_fonts_missing_advice(lp_fonts *fonts, uint32_t cp);

/* Checks that each family of list (a template's `font`, comma-separated)
 * is installed, or stands for one that is (an office font that is not
 * installed stands for its metric-compatible or same-style Debian font:
 * Times New Roman for Liberation Serif, Calibri for Carlito, SimSun for
 * Noto Serif CJK SC, ...; `letterpress fonts` lists them).  Appends a
 * message for people per family that is not ("'Garamond' is not
 * installed: ..."), '\n'-separated, saying that used (the family drawn
 * instead) is used and which package to install; returns their number. */
size_t lp_fonts_check_families(lp_fonts *fonts, const char *list,
                               const char *used, lp_buf *out);

/* A font chain: the faces that text in one language, one family list and one
 * style is drawn with, in preference order.  Owned by fonts. */
typedef struct lp_chain lp_chain;

/* Resolves families (comma-separated fontconfig names, may be NULL or "")
 * for lang and style; an office font that is not installed is drawn with
 * the family that stands for it (lp_fonts_check_families).  Cached: the
 * same arguments give the same chain. */
lp_chain *lp_fonts_chain(lp_fonts *fonts, const char *families,
                         const char *lang, lp_style style, lp_error *err);

/* Like lp_fonts_chain, with latin naming the family (or list) that draws
 * Latin letters and digits in CJK text: NULL picks the default (Noto Serif,
 * or Noto Sans when the main family is a sans), "" or "none" keeps the CJK
 * font's own Latin.  Ignored for other languages and for monospace, and when
 * the main face of the chain is itself not a CJK font. */
lp_chain *lp_fonts_chain_mixed(lp_fonts *fonts, const char *families,
                               const char *latin, const char *lang,
                               lp_style style, lp_error *err);

/* The face that draws code point cp in this chain: for a letter or digit
 * the chain's Latin face when it has one and the character, else the first
 * face of the chain that has it; NULL when no installed font has it. */
lp_face *lp_chain_face_for(lp_chain *chain, uint32_t cp);

/* The chain's face for Latin letters and digits in CJK text, or NULL. */
lp_face *lp_chain_latin_face(lp_chain *chain);

/* Appends a description of the chain for people: its faces in fallback
 * order (at most max), one a line, each indented by indent. */
void lp_chain_describe(lp_chain *chain, int max, const char *indent,
                       lp_buf *out);

/* The chain's first (main) face. */
lp_face *lp_chain_main_face(lp_chain *chain);

/* Whether a table of the face goes into an embedded subset: only outlines
 * and metrics.  A CFF face keeps just 'CFF ' (plus 'head' and 'maxp', which
 * the subsetter reads); a TrueType face keeps what a FontFile2 needs. */
bool lp_face_keeps_table(const lp_face *face, hb_tag_t tag);

/* The face to give hb-subset: face->hb_face showing only the tables that
 * lp_face_keeps_table keeps.  Hiding the rest matters for speed: the
 * subsetter reads the whole 'cmap' of a face even when told to drop it,
 * which costs ~4 ms per subset on a CJK font, and a mail merge makes a
 * small subset per letter.  Made on first use, owned by the face. */
hb_face_t *lp_face_subset_source(lp_face *face);

/* All faces loaded so far (for the PDF writer), and their count. */
lp_face **lp_fonts_faces(lp_fonts *fonts, int *count);

/* Appends, for people, which face draws each script (Han, Extension B,
 * kana, Hangul, Latin, digits, Greek, Cyrillic, CJK punctuation, symbols)
 * in each style of lang's default chains, and the regular chain's fallback
 * order.  False (err set) when no font is found. */
bool lp_fonts_describe(lp_fonts *fonts, const char *lang, lp_buf *out,
                       lp_error *err);

/* The default family list for a language when the template gives none. */
const char *lp_fonts_default_families(const char *lang);

#endif
