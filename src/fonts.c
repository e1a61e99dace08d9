/* fonts.c - fontconfig chains, face loading, per-character fallback. */
#include "fonts.h"

#include <ctype.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_FONT_FORMATS_H
#include FT_TRUETYPE_TABLES_H
#include <hb-ot.h>
#include <unicode/uchar.h>

#include "locales.h"
#include "util.h"

/* Code points remembered per chain before the lookup cache is reset. */
#define CP_CACHE_SIZE 4096

typedef struct cp_slot {
  uint32_t cp; /* 0 = empty (U+0000 never reaches the lookup) */
  int entry;   /* index into the chain's font set, -1 = no font has it */
} cp_slot;

struct lp_chain {
  struct lp_fonts *fonts_owner;
  char *key;
  lp_face *latin; /* Latin letters and digits in CJK text, or NULL */
  FcFontSet *set; /* sorted best-first */
  lp_face **loaded; /* per set entry, NULL until first used */
  cp_slot cache[CP_CACHE_SIZE];
};

typedef struct blob_entry {
  char *path;
  hb_blob_t *blob;
} blob_entry;

struct lp_fonts {
  FcConfig *config;
  bool system_fonts; /* every installed font, not only the declared set */
  char **dirs;       /* font directories added by the user (and fonts/) */
  size_t ndirs, dirs_cap;
  unsigned generation; /* counts changes to the set: part of chain keys */
  struct known_family { /* families asked about (family_installed) */
    char *name;
    bool installed;
  } *known;
  size_t nknown, known_cap;
  unsigned known_gen; /* the generation they were asked in */
  FT_Library ft;
  lp_face **faces;
  size_t nfaces, faces_cap;
  lp_chain **chains;
  size_t nchains, chains_cap;
  blob_entry *blobs;
  size_t nblobs, blobs_cap;
};

lp_fonts *lp_fonts_new(const char *config_file, lp_error *err) {
  lp_fonts *f = lp_xcalloc(1, sizeof *f);
  if (config_file) {
    /* fontconfig reads a relative name against its own directory. */
    char *abs = realpath(config_file, NULL);
    f->config = FcConfigCreate();
    bool ok = abs && f->config &&
              FcConfigParseAndLoad(f->config, (const FcChar8 *)abs, FcTrue) &&
              FcConfigBuildFonts(f->config);
    /* Fonts placed next to the configuration are found too. */
    char *slash = abs ? strrchr(abs, '/') : NULL;
    if (ok && slash) {
      *slash = '\0';
      FcConfigAppFontAddDir(f->config, (const FcChar8 *)abs);
      LP_GROW(f->dirs, f->dirs_cap, f->ndirs + 1);
      f->dirs[f->ndirs++] = lp_xstrdup(abs);
    }
    free(abs);
    if (!ok) {
      lp_fail(err, LP_ERR_FONT, config_file, 0, 0,
              "cannot load this fontconfig configuration");
      lp_fonts_free(f);
      return NULL;
    }
  } else {
    f->system_fonts = true; /* the system's configuration: its fonts */
    f->config = FcInitLoadConfigAndFonts();
    if (!f->config) {
      lp_fail(err, LP_ERR_FONT, NULL, 0, 0,
              "cannot initialise fontconfig: check /etc/fonts/fonts.conf");
      lp_fonts_free(f);
      return NULL;
    }
  }
  if (FT_Init_FreeType(&f->ft)) {
    lp_fail(err, LP_ERR_FONT, NULL, 0, 0, "cannot initialise FreeType");
    lp_fonts_free(f);
    return NULL;
  }
  return f;
}

/* The declared font set: the families of the font packages `make deps`
 * installs (fonts-noto-cjk, fonts-noto-core, fonts-dejavu-core,
 * fonts-hanazono), as name prefixes ("Noto Serif" also names "Noto Serif
 * CJK SC" and "Noto Serif Thai").  A letter is drawn from these, from the
 * families its template names and from the user's font directories, so a
 * template gives the same glyphs on every machine: other installed fonts
 * (LibreOffice's OpenSymbol, AR PL UMing, ...) take part only when the
 * system's fonts are asked for. */
static const char *const declared_families[] = {
    "Noto Serif", "Noto Sans", "DejaVu Serif", "DejaVu Sans",
    "HanaMinA",   "HanaMinB",
};

/* Families that come last in every chain, whatever fontconfig's order:
 * Hanazono's mincho draws the Han of Extension B and beyond that the Noto
 * CJK fonts lack, and nothing that a Noto or DejaVu face has. */
static const char *const last_resort_families[] = {"HanaMinA", "HanaMinB"};

/* Whether family starts with prefix followed by the end or a space. */
static bool family_has_prefix(const char *family, const char *prefix) {
  size_t n = strlen(prefix);
  return strncasecmp(family, prefix, n) == 0 &&
         (family[n] == '\0' || family[n] == ' ');
}

/* Whether one of the n names is family's prefix. */
static bool family_in(const char *family, const char *const *names,
                      size_t n) {
  for (size_t i = 0; i < n; i++)
    if (family_has_prefix(family, names[i])) return true;
  return false;
}

/* The next family of a comma-separated list (as in `font`) at *p:
 * trimmed and unquoted, its start returned and its length in *n (may be
 * 0); NULL at the end of the list.  Moves *p past it. */
static const char *next_family(const char **p, size_t *n) {
  if (!*p || !**p) return NULL;
  const char *s = *p, *e = strchr(s, ',');
  size_t len = e ? (size_t)(e - s) : strlen(s);
  *p = e ? e + 1 : NULL;
  while (len && isspace((unsigned char)*s)) s++, len--;
  while (len && isspace((unsigned char)s[len - 1])) len--;
  if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
    s++, len -= 2;
  *n = len;
  return s;
}

/* Whether list (comma-separated families, as in `font`) names family. */
static bool list_names(const char *list, const char *family) {
  size_t want = strlen(family), n;
  for (const char *s; (s = next_family(&list, &n));)
    if (n == want && strncasecmp(s, family, n) == 0) return true;
  return false;
}

/* Whether path lies in one of the user's font directories. */
static bool in_font_dirs(const lp_fonts *f, const char *path) {
  for (size_t i = 0; i < f->ndirs; i++) {
    size_t n = strlen(f->dirs[i]);
    if (strncmp(path, f->dirs[i], n) == 0 && path[n] == '/') return true;
  }
  return false;
}

/* Whether a chain for the families named may draw with font p. */
static bool font_allowed(const lp_fonts *f, FcPattern *p, const char *named) {
  if (f->system_fonts) return true;
  FcChar8 *s;
  if (FcPatternGetString(p, FC_FILE, 0, &s) == FcResultMatch &&
      in_font_dirs(f, (const char *)s))
    return true;
  for (int i = 0; FcPatternGetString(p, FC_FAMILY, i, &s) == FcResultMatch;
       i++)
    if (family_in((const char *)s, declared_families,
                  sizeof declared_families / sizeof *declared_families) ||
        (named && list_names(named, (const char *)s)))
      return true;
  return false;
}

/* Whether font p belongs at the end of every chain. */
static bool last_resort(FcPattern *p) {
  FcChar8 *s;
  return FcPatternGetString(p, FC_FAMILY, 0, &s) == FcResultMatch &&
         family_in((const char *)s, last_resort_families,
                   sizeof last_resort_families / sizeof *last_resort_families);
}

/* The fonts of sorted (untrimmed: a font left out must not hide one that
 * is kept) that a chain for the families named may use, in fontconfig's
 * order with the last-resort families moved to the end.  Takes sorted;
 * the result may be empty. */
static FcFontSet *allowed_fonts(const lp_fonts *f, FcFontSet *sorted,
                                const char *named) {
  FcFontSet *out = FcFontSetCreate();
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < sorted->nfont; i++) {
      FcPattern *p = sorted->fonts[i];
      if (last_resort(p) != (pass == 1) || !font_allowed(f, p, named))
        continue;
      FcPatternReference(p);
      FcFontSetAdd(out, p);
    }
  FcFontSetDestroy(sorted);
  return out;
}

bool lp_fonts_add_dir(lp_fonts *f, const char *dir, lp_error *err) {
  char *abs = realpath(dir, NULL);
  struct stat st;
  if (!abs || stat(abs, &st) != 0 || !S_ISDIR(st.st_mode)) {
    free(abs);
    return lp_fail(err, LP_ERR_INPUT, dir, 0, 0,
                   "no such font directory: give a directory that holds "
                   "font files (.ttf, .otf, .ttc)");
  }
  for (size_t i = 0; i < f->ndirs; i++)
    if (strcmp(f->dirs[i], abs) == 0) {
      free(abs);
      return true;
    }
  if (!FcConfigAppFontAddDir(f->config, (const FcChar8 *)abs)) {
    lp_fail(err, LP_ERR_FONT, dir, 0, 0,
            "fontconfig cannot read this font directory");
    free(abs);
    return false;
  }
  LP_GROW(f->dirs, f->dirs_cap, f->ndirs + 1);
  f->dirs[f->ndirs++] = abs;
  f->generation++;
  return true;
}

void lp_fonts_use_system(lp_fonts *f, bool on) {
  if (f->system_fonts != on) f->generation++;
  f->system_fonts = on;
}

/* Forgets the families asked about. */
static void forget_families(lp_fonts *f) {
  for (size_t i = 0; i < f->nknown; i++) free(f->known[i].name);
  f->nknown = 0;
}

/* Whether fontconfig knows a font of family (its names compare without
 * case).  Asked once per family and font set: a merge checks the
 * template's fonts for every letter. */
static bool family_installed(lp_fonts *f, const char *family) {
  if (f->known_gen != f->generation) {
    forget_families(f);
    f->known_gen = f->generation;
  }
  for (size_t i = 0; i < f->nknown; i++)
    if (!strcasecmp(f->known[i].name, family)) return f->known[i].installed;
  FcPattern *pat = FcPatternCreate();
  FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
  FcObjectSet *os = FcObjectSetBuild(FC_FILE, (char *)NULL);
  FcFontSet *set = FcFontList(f->config, pat, os);
  bool found = set && set->nfont > 0;
  if (set) FcFontSetDestroy(set);
  FcObjectSetDestroy(os);
  FcPatternDestroy(pat);
  LP_GROW(f->known, f->known_cap, f->nknown + 1);
  f->known[f->nknown++] = (struct known_family){lp_xstrdup(family), found};
  return found;
}

/* Office fonts and the Debian fonts that stand in for them: the
 * metric-compatible ones (Liberation for Times New Roman, Arial and
 * Courier New; Carlito for Calibri, Caladea for Cambria: the same advance
 * widths, so a letter keeps its line breaks), and for the CJK system
 * fonts of Windows the Noto CJK face of the same style and region (Song
 * or Ming for 宋体 and 明朝, Hei or Gothic for 黑体 and ゴシック).  Used
 * only when the named font itself is not installed. */
static const struct office_font {
  const char *name, *family, *package;
} office_fonts[] = {
    {"Times New Roman", "Liberation Serif", "fonts-liberation2"},
    {"Times", "Liberation Serif", "fonts-liberation2"},
    {"Arial", "Liberation Sans", "fonts-liberation2"},
    {"Helvetica", "Liberation Sans", "fonts-liberation2"},
    {"Courier New", "Liberation Mono", "fonts-liberation2"},
    {"Courier", "Liberation Mono", "fonts-liberation2"},
    {"Calibri", "Carlito", "fonts-crosextra-carlito"},
    {"Cambria", "Caladea", "fonts-crosextra-caladea"},
    {"SimSun", "Noto Serif CJK SC", "fonts-noto-cjk"},
    {"NSimSun", "Noto Serif CJK SC", "fonts-noto-cjk"},
    {"宋体", "Noto Serif CJK SC", "fonts-noto-cjk"},
    {"新宋体", "Noto Serif CJK SC", "fonts-noto-cjk"},
    {"SimHei", "Noto Sans CJK SC", "fonts-noto-cjk"},
    {"黑体", "Noto Sans CJK SC", "fonts-noto-cjk"},
    {"Microsoft YaHei", "Noto Sans CJK SC", "fonts-noto-cjk"},
    {"微软雅黑", "Noto Sans CJK SC", "fonts-noto-cjk"},
    {"PMingLiU", "Noto Serif CJK TC", "fonts-noto-cjk"},
    {"MingLiU", "Noto Serif CJK TC", "fonts-noto-cjk"},
    {"新細明體", "Noto Serif CJK TC", "fonts-noto-cjk"},
    {"細明體", "Noto Serif CJK TC", "fonts-noto-cjk"},
    {"Microsoft JhengHei", "Noto Sans CJK TC", "fonts-noto-cjk"},
    {"微軟正黑體", "Noto Sans CJK TC", "fonts-noto-cjk"},
    {"MS Mincho", "Noto Serif CJK JP", "fonts-noto-cjk"},
    {"MS PMincho", "Noto Serif CJK JP", "fonts-noto-cjk"},
    {"ＭＳ 明朝", "Noto Serif CJK JP", "fonts-noto-cjk"},
    {"ＭＳ Ｐ明朝", "Noto Serif CJK JP", "fonts-noto-cjk"},
    {"Yu Mincho", "Noto Serif CJK JP", "fonts-noto-cjk"},
    {"游明朝", "Noto Serif CJK JP", "fonts-noto-cjk"},
    {"MS Gothic", "Noto Sans CJK JP", "fonts-noto-cjk"},
    {"MS PGothic", "Noto Sans CJK JP", "fonts-noto-cjk"},
    {"ＭＳ ゴシック", "Noto Sans CJK JP", "fonts-noto-cjk"},
    {"ＭＳ Ｐゴシック", "Noto Sans CJK JP", "fonts-noto-cjk"},
    {"Meiryo", "Noto Sans CJK JP", "fonts-noto-cjk"},
    {"メイリオ", "Noto Sans CJK JP", "fonts-noto-cjk"},
    {"Yu Gothic", "Noto Sans CJK JP", "fonts-noto-cjk"},
    {"游ゴシック", "Noto Sans CJK JP", "fonts-noto-cjk"},
    {"Batang", "Noto Serif CJK KR", "fonts-noto-cjk"},
    {"바탕", "Noto Serif CJK KR", "fonts-noto-cjk"},
    {"Malgun Gothic", "Noto Sans CJK KR", "fonts-noto-cjk"},
    {"맑은 고딕", "Noto Sans CJK KR", "fonts-noto-cjk"},
    {"Gulim", "Noto Sans CJK KR", "fonts-noto-cjk"},
    {"굴림", "Noto Sans CJK KR", "fonts-noto-cjk"},
    {"Dotum", "Noto Sans CJK KR", "fonts-noto-cjk"},
    {"돋움", "Noto Sans CJK KR", "fonts-noto-cjk"},
};

/* The office_fonts entry for the n bytes of name, or NULL. */
static const struct office_font *office_font(const char *name, size_t n) {
  for (size_t i = 0; i < sizeof office_fonts / sizeof *office_fonts; i++)
    if (strlen(office_fonts[i].name) == n &&
        strncasecmp(office_fonts[i].name, name, n) == 0)
      return &office_fonts[i];
  return NULL;
}

/* Whether name is one of the generic families that fonts.conf resolves
 * (serif, sans-serif, monospace): never "not installed". */
static bool generic_family(const char *name) {
  static const char *const generic[] = {"serif", "sans-serif", "sans",
                                        "monospace", "mono", "system-ui"};
  for (size_t i = 0; i < sizeof generic / sizeof *generic; i++)
    if (!strcasecmp(name, generic[i])) return true;
  return false;
}

/* The family that stands for name in a chain: name when it is installed
 * (or generic), else its office_fonts stand-in, else name (fontconfig
 * then falls back, and lp_fonts_check_families tells). */
static const char *resolve_family(lp_fonts *f, const char *name,
                                  const struct office_font **alias) {
  *alias = office_font(name, strlen(name));
  if (!*alias || generic_family(name) || family_installed(f, name)) {
    *alias = NULL;
    return name;
  }
  return (*alias)->family;
}

/* list with each family resolved (resolve_family), as a new list that the
 * caller frees. */
static char *resolve_families(lp_fonts *f, const char *list) {
  lp_buf out = {0};
  size_t n;
  for (const char *s; (s = next_family(&list, &n));) {
    if (!n) continue;
    char *name = lp_xstrndup(s, n);
    const struct office_font *alias;
    lp_buf_printf(&out, "%s%s", out.len ? ", " : "",
                  resolve_family(f, name, &alias));
    free(name);
  }
  lp_buf_append(&out, "", 1);
  char *r = lp_xstrdup((char *)out.data);
  lp_buf_free(&out);
  return r;
}

size_t lp_fonts_check_families(lp_fonts *f, const char *list,
                               const char *used, lp_buf *out) {
  size_t problems = 0, n;
  for (const char *s; (s = next_family(&list, &n));) {
    if (!n) continue;
    char *name = lp_xstrndup(s, n);
    const struct office_font *alias;
    const char *family = resolve_family(f, name, &alias);
    if (!generic_family(family) && !family_installed(f, family)) {
      if (problems++) lp_buf_puts(out, "\n");
      if (alias)
        lp_buf_printf(out,
                      "'%s' stands for %s (metric-compatible or of the "
                      "same style), which is not installed: %s is used "
                      "instead; install %s (apt-get install %s)",
                      name, alias->family, used, alias->package,
                      alias->package);
      else
        lp_buf_printf(out,
                      "'%s' is not installed: %s is used instead; "
                      "install it, or put its files in a directory named "
                      "with --font-path DIR or 'font-path' (`letterpress "
                      "fonts` shows the fonts in use)",
                      name, used);
    }
    free(name);
  }
  return problems;
}

/* Appends the office_fonts table for people: each name, the family that
 * stands for it, its package, and whether it is installed. */
static void describe_office_fonts(lp_fonts *f, lp_buf *out) {
  lp_buf_puts(out, "office fonts (a font: naming one that is not installed "
                   "is drawn with the family after it):\n");
  for (size_t i = 0; i < sizeof office_fonts / sizeof *office_fonts; i++) {
    const struct office_font *o = &office_fonts[i];
    lp_buf_printf(out, "  %-20s -> %s (%s%s)\n", o->name, o->family,
                  o->package,
                  family_installed(f, o->family) ? "" : ", not installed");
  }
}

/* Han of the CJK blocks that fonts-hanazono covers: Extensions A to F and
 * the compatibility ideographs (and the URO, which Noto CJK has). */
static bool is_hanazono_han(uint32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

/* The advice for a missing character, by class.  Emoji and other
 * pictographs (Extended_Pictographic, and the skin-tone modifiers):
 * Symbola 2.60 (fonts-symbola) has every one of Unicode 9.0 and before
 * that the declared set lacks (checked against its cmap), and
 * some of 10.0 (symbola_10); the others have no outline font in Debian
 * 12: fonts-noto-color-emoji has them as colour bitmaps (CBDT), which
 * cannot be embedded as a PDF font (letterpress does not load it).
 * Symbola is no declared family, so the template must name it. */
static const char *const ADVICE_HANAZONO =
    "install fonts-hanazono (apt-get install fonts-hanazono)";
static const char *const ADVICE_SYMBOLA_INSTALL =
    "install fonts-symbola (apt-get install fonts-symbola) and name Symbola "
    "after the template's fonts, e.g. font: \"Noto Serif, Symbola\"";
static const char *const ADVICE_SYMBOLA_NAME =
    "name Symbola (installed) after the template's fonts, e.g. font: "
    "\"Noto Serif, Symbola\"";
static const char *const ADVICE_NEW_EMOJI =
    "no Debian font package has an outline glyph for emoji this new "
    "(fonts-noto-color-emoji has colour bitmaps only, which a PDF font "
    "cannot carry): add a directory holding a font that has them with "
    "--font-path DIR or 'font-path', or leave them out";
static const char *const ADVICE_FONT_PATH =
    "put a font that has it in a directory and name it with --font-path DIR "
    "or 'font-path'";

/* The pictographs of Unicode 10.0 that Symbola 2.60 has too (it has
 * those of 9.0 and before). */
static const uint32_t symbola_10[][2] = {
    {0x1F260, 0x1F265}, {0x1F91F, 0x1F91F}, {0x1F928, 0x1F92F},
    {0x1F931, 0x1F932}, {0x1F94C, 0x1F94C}, {0x1F95F, 0x1F96B},
    {0x1F992, 0x1F997}, {0x1F9D0, 0x1F9D8}, {0x1F9DA, 0x1F9E6}};

/* Whether Symbola 2.60 (fonts-symbola, Debian 12) has pictograph cp. */
static bool symbola_has(uint32_t cp) {
  UVersionInfo age;
  u_charAge((UChar32)cp, age);
  if (age[0] <= 9) return true;
  for (size_t i = 0; i < sizeof symbola_10 / sizeof *symbola_10; i++)
    if (cp >= symbola_10[i][0] && cp <= symbola_10[i][1]) return true;
  return false;
}

const char *lp_fonts_missing_advice(lp_fonts *f, uint32_t cp) {
  if (is_hanazono_han(cp)) {
    /* Hanazono is in the declared set: once installed it is used. */
    if (!family_installed(f, "HanaMinB"))
      return ADVICE_HANAZONO;
    return ADVICE_FONT_PATH;
  }
  if (u_hasBinaryProperty((UChar32)cp, UCHAR_EXTENDED_PICTOGRAPHIC) ||
      u_hasBinaryProperty((UChar32)cp, UCHAR_EMOJI_MODIFIER)) {
    if (!symbola_has(cp)) return ADVICE_NEW_EMOJI;
    return family_installed(f, "Symbola") ? ADVICE_SYMBOLA_NAME
                                          : ADVICE_SYMBOLA_INSTALL;
  }
  return ADVICE_FONT_PATH;
}

bool lp_face_keeps_table(const lp_face *face, hb_tag_t tag) {
  static const hb_tag_t cff[] = {HB_TAG('C', 'F', 'F', ' '),
                                 HB_TAG('h', 'e', 'a', 'd'),
                                 HB_TAG('m', 'a', 'x', 'p')};
  static const hb_tag_t truetype[] = {
      HB_TAG('g', 'l', 'y', 'f'), HB_TAG('l', 'o', 'c', 'a'),
      HB_TAG('h', 'e', 'a', 'd'), HB_TAG('h', 'h', 'e', 'a'),
      HB_TAG('h', 'm', 't', 'x'), HB_TAG('m', 'a', 'x', 'p')};
  const hb_tag_t *keep = face->is_cff ? cff : truetype;
  size_t n = face->is_cff ? sizeof cff / sizeof *cff
                          : sizeof truetype / sizeof *truetype;
  for (size_t i = 0; i < n; i++)
    if (keep[i] == tag) return true;
  return false;
}

/* hb_face_create_for_tables callback: the kept tables of the face. */
static hb_blob_t *kept_table(hb_face_t *unused, hb_tag_t tag, void *data) {
  (void)unused;
  const lp_face *face = data;
  return lp_face_keeps_table(face, tag)
             ? hb_face_reference_table(face->hb_face, tag)
             : hb_blob_get_empty();
}

hb_face_t *lp_face_subset_source(lp_face *face) {
  if (!face->subset_face) {
    /* The lp_face outlives its subset_face (face_free destroys it first). */
    face->subset_face = hb_face_create_for_tables(kept_table, face, NULL);
    hb_face_set_upem(face->subset_face, face->upem);
    hb_face_set_glyph_count(face->subset_face,
                            hb_face_get_glyph_count(face->hb_face));
  }
  return face->subset_face;
}

static void face_free(lp_face *face) {
  if (!face) return;
  hb_font_destroy(face->hb_font);
  hb_face_destroy(face->subset_face);
  hb_face_destroy(face->hb_face);
  free(face->path);
  free(face->family);
  free(face->ps_name);
  free(face);
}

void lp_fonts_free(lp_fonts *f) {
  if (!f) return;
  for (size_t i = 0; i < f->nfaces; i++) face_free(f->faces[i]);
  free(f->faces);
  for (size_t i = 0; i < f->nchains; i++) {
    lp_chain *c = f->chains[i];
    free(c->key);
    free(c->loaded);
    FcFontSetDestroy(c->set);
    free(c);
  }
  free(f->chains);
  for (size_t i = 0; i < f->nblobs; i++) {
    free(f->blobs[i].path);
    hb_blob_destroy(f->blobs[i].blob);
  }
  free(f->blobs);
  for (size_t i = 0; i < f->ndirs; i++) free(f->dirs[i]);
  free(f->dirs);
  forget_families(f);
  free(f->known);
  if (f->ft) FT_Done_FreeType(f->ft);
  if (f->config) FcConfigDestroy(f->config);
  free(f);
}

/* One blob per font file, shared by the faces of a collection. */
static hb_blob_t *file_blob(lp_fonts *f, const char *path) {
  for (size_t i = 0; i < f->nblobs; i++)
    if (strcmp(f->blobs[i].path, path) == 0) return f->blobs[i].blob;
  hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
  if (!blob) return NULL;
  LP_GROW(f->blobs, f->blobs_cap, f->nblobs + 1);
  f->blobs[f->nblobs++] = (blob_entry){lp_xstrdup(path), blob};
  return blob;
}

/* Loads (or finds) the face at path/index; fills metrics through FreeType. */
static lp_face *load_face(lp_fonts *f, const char *path, int index,
                          const char *family) {
  for (size_t i = 0; i < f->nfaces; i++)
    if (f->faces[i]->index == index && strcmp(f->faces[i]->path, path) == 0)
      return f->faces[i];
  hb_blob_t *blob = file_blob(f, path);
  if (!blob) return NULL;
  FT_Face ft;
  if (FT_New_Face(f->ft, path, index, &ft)) return NULL;
  if (!FT_IS_SCALABLE(ft)) {
    FT_Done_Face(ft);
    return NULL;
  }
  lp_face *face = lp_xcalloc(1, sizeof *face);
  face->path = lp_xstrdup(path);
  face->index = index;
  face->family = lp_xstrdup(family ? family : "");
  const char *ps = FT_Get_Postscript_Name(ft);
  face->ps_name = lp_xstrdup(ps ? ps : "Font");
  face->upem = ft->units_per_EM;
  double em = face->upem ? face->upem : 1000;
  face->ascender = ft->ascender / em;
  face->bbox[0] = ft->bbox.xMin / em, face->bbox[1] = ft->bbox.yMin / em;
  face->bbox[2] = ft->bbox.xMax / em, face->bbox[3] = ft->bbox.yMax / em;
  face->descender = ft->descender / em;
  TT_OS2 *os2 = FT_Get_Sfnt_Table(ft, FT_SFNT_OS2);
  face->cap_height = os2 && os2->version >= 2 && os2->sCapHeight
                         ? os2->sCapHeight / em
                         : face->ascender * 0.8;
  TT_Postscript *post = FT_Get_Sfnt_Table(ft, FT_SFNT_POST);
  face->italic_angle = post ? post->italicAngle / 65536.0 : 0;
  face->bold = (ft->style_flags & FT_STYLE_FLAG_BOLD) != 0;
  face->italic = (ft->style_flags & FT_STYLE_FLAG_ITALIC) != 0;
  const char *fmt = FT_Get_Font_Format(ft);
  face->is_cff = fmt && strcmp(fmt, "CFF") == 0;
  FT_Done_Face(ft);

  face->hb_face = hb_face_create(blob, (unsigned)index);
  face->hb_font = hb_font_create(face->hb_face);
  hb_font_set_scale(face->hb_font, (int)face->upem, (int)face->upem);
  unsigned fi;
  face->has_halt = hb_ot_layout_language_find_feature(
      face->hb_face, HB_OT_TAG_GPOS, 0, HB_OT_LAYOUT_DEFAULT_LANGUAGE_INDEX,
      HB_TAG('h', 'a', 'l', 't'), &fi);
  if (!face->has_halt) { /* the feature may sit under a script other
                            than the first: look through the list */
    hb_tag_t tags[64];
    unsigned n = 64, off = 0;
    while (!face->has_halt &&
           hb_ot_layout_table_get_feature_tags(face->hb_face, HB_OT_TAG_GPOS,
                                               off, &n, tags) &&
           n) {
      for (unsigned k = 0; k < n; k++)
        if (tags[k] == HB_TAG('h', 'a', 'l', 't')) face->has_halt = true;
      off += n;
      n = 64;
    }
  }
  hb_codepoint_t g;
  face->has_han = hb_font_get_nominal_glyph(face->hb_font, 0x6C34, &g);
  face->id = (int)f->nfaces;
  LP_GROW(f->faces, f->faces_cap, f->nfaces + 1);
  f->faces[f->nfaces++] = face;
  return face;
}

const char *lp_fonts_default_families(const char *lang) {
  switch (lp_locales_han_forms(lang)) {
  case LP_HAN_SC:
    return "Noto Serif CJK SC";
  case LP_HAN_TC:
    return "Noto Serif CJK TC";
  case LP_HAN_HK:
    return "Noto Serif CJK HK";
  case LP_HAN_JP:
    return "Noto Serif CJK JP";
  case LP_HAN_KR:
    return "Noto Serif CJK KR";
  case LP_HAN_NONE:
    break;
  }
  return "Noto Serif";
}

/* Adds each comma-separated family of list to the pattern, in order. */
static void add_families(FcPattern *pat, const char *list) {
  size_t n;
  for (const char *s; (s = next_family(&list, &n));) {
    if (!n) continue;
    char *fam = lp_xstrndup(s, n);
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)fam);
    free(fam);
  }
}

/* Adds the style's weight and slant to pat, asks for outline fonts, and
 * applies the configuration's substitutions: ready to match or sort. */
static void prepare_pattern(lp_fonts *f, FcPattern *pat, lp_style style) {
  if (style == LP_STYLE_BOLD || style == LP_STYLE_BOLD_ITALIC)
    FcPatternAddInteger(pat, FC_WEIGHT, FC_WEIGHT_BOLD);
  if (style == LP_STYLE_ITALIC || style == LP_STYLE_BOLD_ITALIC)
    FcPatternAddInteger(pat, FC_SLANT, FC_SLANT_ITALIC);
  FcPatternAddBool(pat, FC_SCALABLE, FcTrue);
  FcConfigSubstitute(f->config, pat, FcMatchPattern);
  FcDefaultSubstitute(pat);
}

/* The face fontconfig matches best for families in style (lang "en"), or
 * NULL. */
static lp_face *match_face(lp_fonts *f, const char *families,
                           lp_style style) {
  FcPattern *pat = FcPatternCreate();
  add_families(pat, families);
  FcPatternAddString(pat, FC_LANG, (const FcChar8 *)"en");
  prepare_pattern(f, pat, style);
  FcResult res;
  FcFontSet *set = FcFontSort(f->config, pat, FcFalse, NULL, &res);
  FcPatternDestroy(pat);
  if (!set) return NULL;
  set = allowed_fonts(f, set, families);
  lp_face *face = NULL;
  for (int i = 0; i < set->nfont && !face; i++) {
    FcChar8 *file = NULL, *family = NULL;
    int index = 0;
    FcPattern *m = set->fonts[i];
    if (FcPatternGetString(m, FC_FILE, 0, &file) != FcResultMatch) continue;
    FcPatternGetInteger(m, FC_INDEX, 0, &index);
    FcPatternGetString(m, FC_FAMILY, 0, &family);
    face = load_face(f, (const char *)file, index, (const char *)family);
  }
  FcFontSetDestroy(set);
  return face;
}

/* The Latin face of a CJK chain (see lp_fonts_chain_mixed). */
static lp_face *latin_face(lp_fonts *f, lp_chain *c, const char *latin,
                           const char *lang, lp_style style) {
  if (!lp_lang_is_cjk(lang) || style == LP_STYLE_MONO) return NULL;
  if (latin && (!*latin || !strcasecmp(latin, "none"))) return NULL;
  lp_face *main = lp_chain_main_face(c);
  if (!main || !main->has_han) return NULL; /* a Latin font comes first */
  if (!latin)
    latin = strcasestr(main->family, "sans") ? "Noto Sans" : "Noto Serif";
  char *resolved = resolve_families(f, latin);
  lp_face *face = match_face(f, resolved, style);
  free(resolved);
  hb_codepoint_t g;
  if (!face || face->has_han ||
      !hb_font_get_nominal_glyph(face->hb_font, 'A', &g))
    return NULL;
  return face;
}

lp_chain *lp_fonts_chain(lp_fonts *f, const char *families, const char *lang,
                         lp_style style, lp_error *err) {
  return lp_fonts_chain_mixed(f, families, NULL, lang, style, err);
}

lp_chain *lp_fonts_chain_mixed(lp_fonts *f, const char *families,
                               const char *latin, const char *lang,
                               lp_style style, lp_error *err) {
  if (!lang || !*lang) lang = "en";
  if (!families || !*families) families = lp_fonts_default_families(lang);
  lp_buf key = {0};
  lp_buf_printf(&key, "%s|%s|%s|%d|%u", families, latin ? latin : "-", lang,
                (int)style, f->generation);
  for (size_t i = 0; i < f->nchains; i++)
    if (strcmp(f->chains[i]->key, (char *)key.data) == 0) {
      lp_buf_free(&key);
      return f->chains[i];
    }

  FcPattern *pat = FcPatternCreate();
  if (style == LP_STYLE_MONO)
    add_families(pat, "Noto Sans Mono, DejaVu Sans Mono, monospace");
  /* An office font that is not installed: its stand-in, named. */
  char *resolved = resolve_families(f, families);
  add_families(pat, resolved);
  /* After the user's list, the language's own default, so that a Latin
   * family list still finds a CJK font of the right regional forms. */
  add_families(pat, lp_fonts_default_families(lang));
  /* Then a CJK face for the symbols and CJK text of other languages. */
  if (!lp_lang_is_cjk(lang)) add_families(pat, "Noto Serif CJK SC");
  /* fontconfig knows no script subtags (it warns on stderr about
   * "zh-Hant"): give it the language and region it has orthographies for. */
  char fc[16];
  FcChar8 *fclang =
      FcLangNormalize((const FcChar8 *)lp_locales_fc_lang(lang, fc, sizeof fc));
  if (fclang) {
    FcPatternAddString(pat, FC_LANG, fclang);
    FcStrFree(fclang);
  }
  prepare_pattern(f, pat, style);
  FcResult res;
  FcFontSet *set = FcFontSort(f->config, pat, FcFalse, NULL, &res);
  FcPatternDestroy(pat);
  if (set) set = allowed_fonts(f, set, resolved);
  free(resolved);
  if (!set || set->nfont == 0) {
    if (set) FcFontSetDestroy(set);
    lp_fail(err, LP_ERR_FONT, NULL, 0, 0,
            "no font found for \"%s\" (lang %s): install fonts-noto-cjk and "
            "fonts-noto-core, or name an installed family in 'font'",
            families, lang);
    lp_buf_free(&key);
    return NULL;
  }
  lp_chain *c = lp_xcalloc(1, sizeof *c);
  c->key = lp_buf_strdup(&key);
  lp_buf_free(&key);
  c->set = set;
  c->loaded = lp_xcalloc((size_t)set->nfont, sizeof *c->loaded);
  c->fonts_owner = f;
  LP_GROW(f->chains, f->chains_cap, f->nchains + 1);
  f->chains[f->nchains++] = c;
  /* The main face must load, or the chain is useless. */
  if (!lp_chain_main_face(c)) {
    FcChar8 *file = NULL;
    FcPatternGetString(set->fonts[0], FC_FILE, 0, &file);
    lp_fail(err, LP_ERR_FONT, file ? (const char *)file : NULL, 0, 0,
            "cannot load this font file");
    return NULL;
  }
  c->latin = latin_face(f, c, latin, lang, style);
  return c;
}

/* Loads set entry i of the chain, or returns NULL if it cannot be loaded. */
static lp_face *chain_entry(lp_chain *c, int i) {
  if (!c->loaded[i]) {
    FcPattern *p = c->set->fonts[i];
    FcChar8 *file = NULL, *family = NULL;
    int index = 0;
    if (FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch)
      return NULL;
    FcPatternGetInteger(p, FC_INDEX, 0, &index);
    FcPatternGetString(p, FC_FAMILY, 0, &family);
    c->loaded[i] = load_face(c->fonts_owner, (const char *)file, index,
                             (const char *)family);
  }
  return c->loaded[i];
}

lp_face *lp_chain_main_face(lp_chain *c) {
  for (int i = 0; i < c->set->nfont; i++) {
    lp_face *face = chain_entry(c, i);
    if (face) return face;
  }
  return NULL;
}

lp_face *lp_chain_latin_face(lp_chain *c) { return c->latin; }

/* Whether cp is a letter or digit that a chain's Latin face draws: Latin,
 * Greek and Cyrillic letters, ASCII digits. */
static bool is_latin_alnum(uint32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
         (cp >= 'a' && cp <= 'z') ||
         (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
         (cp >= 0x370 && cp <= 0x4FF && cp != 0x37E && cp != 0x387) ||
         (cp >= 0x1E00 && cp <= 0x1EFF);
}

lp_face *lp_chain_face_for(lp_chain *c, uint32_t cp) {
  hb_codepoint_t g;
  if (c->latin && is_latin_alnum(cp) &&
      hb_font_get_nominal_glyph(c->latin->hb_font, cp, &g))
    return c->latin;
  cp_slot *slot = &c->cache[cp % CP_CACHE_SIZE];
  if (slot->cp == cp && cp != 0)
    return slot->entry < 0 ? NULL : c->loaded[slot->entry];
  int found = -1;
  for (int i = 0; i < c->set->nfont && found < 0; i++) {
    FcCharSet *cs = NULL;
    if (FcPatternGetCharSet(c->set->fonts[i], FC_CHARSET, 0, &cs) !=
            FcResultMatch ||
        !FcCharSetHasChar(cs, cp))
      continue;
    if (chain_entry(c, i)) found = i;
  }
  slot->cp = cp;
  slot->entry = found;
  return found < 0 ? NULL : c->loaded[found];
}

lp_face **lp_fonts_faces(lp_fonts *f, int *count) {
  *count = (int)f->nfaces;
  return f->faces;
}

/* Where a face comes from, for people: why the font set holds it. */
static const char *face_origin(const lp_fonts *f, const lp_face *face) {
  if (in_font_dirs(f, face->path)) return "font directory";
  if (family_in(face->family, declared_families,
                sizeof declared_families / sizeof *declared_families))
    return "declared set";
  return f->system_fonts ? "system fonts" : "named by the template";
}

void lp_chain_describe(lp_chain *c, int max, const char *indent,
                       lp_buf *out) {
  const lp_fonts *f = c->fonts_owner;
  if (c->latin)
    lp_buf_printf(out, "%s%s (Latin letters and digits)  %s:%d  [%s]\n",
                  indent, c->latin->ps_name, c->latin->path, c->latin->index,
                  face_origin(f, c->latin));
  int shown = 0;
  for (int i = 0; i < c->set->nfont && shown < max; i++) {
    lp_face *face = chain_entry(c, i);
    if (!face) continue;
    lp_buf_printf(out, "%s%s  %s:%d  [%s]\n", indent, face->ps_name,
                  face->path, face->index, face_origin(f, face));
    shown++;
  }
  if (c->set->nfont > shown)
    lp_buf_printf(out, "%s... %d more fonts by fontconfig's order\n", indent,
                  c->set->nfont - shown);
}

/* Sample characters per script for lp_fonts_describe. */
static const struct {
  const char *script;
  uint32_t cp;
} font_samples[] = {
    {"Han", 0x627F},          /* 承 */
    {"Han Ext. B", 0x20B9F},  /* 𠮟 */
    {"Hiragana", 0x3042},     /* あ */
    {"Katakana", 0x30A2},     /* ア */
    {"Hangul", 0xD55C},       /* 한 */
    {"Latin", 'A'},
    {"Digits", '1'},
    {"Greek", 0x03A9},        /* Ω */
    {"Cyrillic", 0x0416},     /* Ж */
    {"CJK punctuation", 0x3002}, /* 。 */
    {"Symbols", 0x203B},      /* ※ */
    {"Math", 0x2265},         /* ≥ */
    {"Enclosed", 0x2460},     /* ① */
};

bool lp_fonts_describe(lp_fonts *f, const char *lang, lp_buf *out,
                       lp_error *err) {
  static const char *style_names[LP_STYLE_COUNT] = {
      "regular", "bold", "italic", "bold italic", "monospace"};
  if (!lang || !*lang) lang = "en";
  /* The tag as a template's lang takes it: "zh_tw" is zh-TW, "jp" no tag. */
  char tag[64], why[200];
  if (!lp_locales_normalize(lang, tag, sizeof tag)) tag[0] = '\0';
  if (!lp_locales_check(tag, why, sizeof why))
    return lp_fail(err, LP_ERR_INPUT, "--lang", 0, 0, "'%.64s' %s", lang,
                   why);
  lang = tag;
  lp_buf_printf(out, "lang %s, families \"%s\"\n", lang,
                lp_fonts_default_families(lang));
  if (f->system_fonts)
    lp_buf_puts(out, "font set: every installed font (system fonts)\n");
  else
    lp_buf_puts(out, "font set: the declared families (Noto Serif, Noto "
                     "Sans and their CJK and script families, DejaVu, "
                     "HanaMinA/B), families the template names, and font "
                     "directories\n");
  for (size_t i = 0; i < f->ndirs; i++)
    lp_buf_printf(out, "font directory: %s\n", f->dirs[i]);
  for (int s = 0; s < LP_STYLE_COUNT; s++) {
    lp_chain *c = lp_fonts_chain(f, NULL, lang, (lp_style)s, err);
    if (!c) return false;
    lp_buf_printf(out, "%s:\n", style_names[s]);
    for (size_t k = 0; k < sizeof font_samples / sizeof font_samples[0];
         k++) {
      lp_buf sample = {0};
      lp_utf8_put(&sample, font_samples[k].cp);
      lp_face *face = lp_chain_face_for(c, font_samples[k].cp);
      lp_buf_printf(out, "  %-16s %.*s  %s", font_samples[k].script,
                    (int)sample.len, (char *)sample.data,
                    face ? face->ps_name : "(no font: drawn as .notdef)");
      if (face)
        lp_buf_printf(out, "  %s:%d  [%s]", face->path, face->index,
                      face_origin(f, face));
      lp_buf_puts(out, "\n");
      lp_buf_free(&sample);
    }
    if (s == LP_STYLE_REGULAR) {
      lp_buf_puts(out, "  fallback order:\n");
      lp_chain_describe(c, 8, "    ", out);
    }
  }
  describe_office_fonts(f, out);
  return true;
}
