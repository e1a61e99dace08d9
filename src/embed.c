/* embed.c - font embedding: CID fonts over hb-subset subsets, /W widths,
 * ToUnicode CMaps, and the subset cache. */
#include "embed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hb-subset.h>
#include <hb.h>
#include <hpdf.h>
#include <libdeflate.h>

/* /DW: CIDs missing from /W get this width (most CJK glyphs have it). */
#define DEFAULT_WIDTH_MILLI 1000000 /* 1000 glyph units, in thousandths */

/* FontDescriptor /Flags bits (PDF 32000-1 table 123). */
#define FLAG_SYMBOLIC 4
#define FLAG_ITALIC 64
/* /StemV is required but unknown for our fonts; 80 is the usual guess. */
#define STEM_V 80
/* Consecutive CIDs per /W group before a new group starts. */
#define W_GROUP_MAX 1024
/* Entries per beginbfchar block (the CMap format allows at most 100). */
#define BFCHAR_BLOCK 100
/* A bfchar destination string holds at most 512 bytes (256 UTF-16 units). */
#define TOUNICODE_MAX_UNITS 256
/* Length of the subset tag in BaseFont ("ABCDEF+"). */
#define SUBSET_TAG_LEN 6
/* PostScript names are at most 63 characters. */
#define PS_NAME_MAX 63
/* Name used when a face has no usable PostScript name. */
#define FALLBACK_PS_NAME "Font"

#define CFF_TAG HB_TAG('C', 'F', 'F', ' ')

/* Subsets remembered, at most (the least recently used goes first). */
#define CACHE_ENTRIES 16
/* Deflate levels (libdeflate) of the streams compressed here.  What is
 * made for every letter (pages, CMaps, a document's own font subsets) gets
 * a fast level: 3 costs half the time of 5 for 1% more bytes.  An anchor
 * subset (the template's glyphs in a merge) is made once and embedded in
 * every letter: it gets the smallest output. */
#define DEFLATE_LEVEL 3
#define DEFLATE_LEVEL_ANCHOR 12

/* One remembered subset: a face and glyph set, the font program as it is
 * embedded (Flate-compressed) and the CID of each glyph. */
typedef struct cache_entry {
  const lp_face *face;
  bool hinting; /* made with the fonts' hinting */
  bool anchor;  /* an anchor subset (compressed at DEFLATE_LEVEL_ANCHOR) */
  hb_set_t *gids;
  unsigned char *zdata;
  size_t zlen, raw_len;
  hb_map_t *cid_of;
  unsigned long long used; /* for least-recently-used replacement */
} cache_entry;

/* A face's anchor: the glyphs a template itself uses (see
 * lp_embed_cache_set_anchors). */
typedef struct anchor_set {
  const lp_face *face;
  hb_set_t *gids;
} anchor_set;

struct lp_embed_cache {
  struct libdeflate_compressor *deflaters[2]; /* fast, anchor; made on
                                                 first use */
  cache_entry entries[CACHE_ENTRIES];
  unsigned long long clock;
  anchor_set *anchors;
  size_t nanchors, anchors_cap;
};

/* Fills w's error with libharu's error while doing what; returns false. */
static bool haru_fail(lp_embed *w, const char *what) {
  return lp_pdfobj_haru_fail(w->pdf, w->haru, w->err, what);
}

/* A new stream object compressed here holding len bytes of data. */
static HPDF_Dict new_stream(lp_embed *w, const void *data, size_t len) {
  HPDF_Dict s = HPDF_DictStream_New(w->pdf->mmgr, w->pdf->xref);
  return s && lp_embed_put_flate(w, s, data, len) ? s : NULL;
}

/* ---- Collecting glyphs ------------------------------------------------ */

/* The anchor glyph set of face in the writer's cache, or NULL. */
static const hb_set_t *anchor_of(const lp_embed *w, const lp_face *face) {
  for (size_t i = 0; w->cache && i < w->cache->nanchors; i++)
    if (w->cache->anchors[i].face == face) return w->cache->anchors[i].gids;
  return NULL;
}

/* The embedded font that draws glyph gid of face: the face's main font
 * or, for a glyph outside the face's anchor, its extra font.  A main font
 * with an anchor holds the whole anchor, so that its subset is the same in
 * every document (and comes from the cache). */
lp_embed_font *lp_embed_font_for(lp_embed *w, lp_face *face, uint32_t gid) {
  const hb_set_t *anchor = anchor_of(w, face);
  bool extra = anchor && !hb_set_has(anchor, gid);
  for (size_t i = 0; i < w->nfonts; i++)
    if (w->fonts[i].face == face && w->fonts[i].extra == extra)
      return &w->fonts[i];
  LP_GROW(w->fonts, w->fonts_cap, w->nfonts + 1);
  lp_embed_font *f = &w->fonts[w->nfonts++];
  memset(f, 0, sizeof *f);
  f->face = face;
  f->extra = extra;
  f->gids = anchor && !extra ? hb_set_copy(anchor) : hb_set_create();
  f->text_of = hb_map_create();
  f->cid_of = hb_map_create();
  return f;
}

lp_embed_pair lp_embed_fonts_of(lp_embed *w, const lp_face *face) {
  lp_embed_pair pair = {NULL, NULL};
  for (size_t i = 0; i < w->nfonts; i++)
    if (w->fonts[i].face == face) {
      if (w->fonts[i].extra)
        pair.extra = &w->fonts[i];
      else
        pair.main = &w->fonts[i];
    }
  return pair;
}

lp_embed_font *lp_embed_pair_font(const lp_embed_pair *pair, uint32_t gid) {
  if (!pair->extra) return pair->main;
  if (!pair->main) return pair->extra;
  return hb_set_has(pair->main->gids, gid) ? pair->main : pair->extra;
}

/* Records every glyph of the document in its font: the glyph set to subset
 * and, per glyph id, the first glyph that carries cluster text. */
bool lp_embed_collect(lp_embed *w, const lp_display *d) {
  for (size_t p = 0; p < d->npages; p++) {
    const lp_dpage *page = &d->pages[p];
    for (size_t r = 0; r < page->nruns; r++) {
      const lp_drun *run = &page->runs[r];
      if (!run->count) continue;
      if (!run->face)
        return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                       "PDF writer: a run on page %zu has no font", p + 1);
      for (size_t k = 0; k < run->count; k++) {
        const lp_dglyph *g = &run->glyphs[k];
        lp_embed_font *f = lp_embed_font_for(w, run->face, g->gid);
        hb_set_add(f->gids, g->gid);
        if (g->text && g->text_len && !hb_map_has(f->text_of, g->gid)) {
          LP_GROW(f->texts, f->texts_cap, f->ntexts + 1);
          hb_map_set(f->text_of, g->gid, (uint32_t)f->ntexts);
          f->texts[f->ntexts++] = g;
        }
      }
    }
  }
  for (size_t i = 0; i < w->nfonts; i++)
    if (!hb_set_allocation_successful(w->fonts[i].gids) ||
        !hb_map_allocation_successful(w->fonts[i].text_of))
      return lp_fail(w->err, LP_ERR_NOMEM, NULL, 0, 0, "out of memory");
  return true;
}

void lp_embed_free(lp_embed *w) {
  for (size_t i = 0; i < w->nfonts; i++) {
    hb_set_destroy(w->fonts[i].gids);
    hb_map_destroy(w->fonts[i].text_of);
    hb_map_destroy(w->fonts[i].cid_of);
    free(w->fonts[i].texts);
  }
  free(w->fonts);
  for (int i = 0; i < 2; i++) libdeflate_free_compressor(w->deflaters[i]);
}

/* ---- CFF charset ------------------------------------------------------ */

/* Reading a CFF (Adobe TN #5176) just far enough to learn two things about
 * the subset: whether its Top DICT has ROS (CID-keyed) and, if so, the CID
 * of each glyph from its charset. */

/* Where an INDEX's first item lies and where the INDEX ends. */
typedef struct cff_index {
  uint32_t count;
  size_t first, first_end, end;
} cff_index;

/* Reads an n-byte big-endian unsigned number at d[pos]. */
static uint32_t cff_uint(const uint8_t *d, size_t pos, unsigned n) {
  uint32_t v = 0;
  for (unsigned i = 0; i < n; i++) v = (v << 8) | d[pos + i];
  return v;
}

/* Parses the INDEX at pos; false when it runs past len. */
static bool cff_read_index(const uint8_t *d, size_t len, size_t pos,
                           cff_index *ix) {
  if (pos + 2 > len) return false;
  ix->count = cff_uint(d, pos, 2);
  if (ix->count == 0) {
    ix->first = ix->first_end = ix->end = pos + 2;
    return true;
  }
  if (pos + 3 > len) return false;
  unsigned off_size = d[pos + 2];
  if (off_size < 1 || off_size > 4) return false;
  size_t offsets = pos + 3;
  size_t noffsets = (size_t)ix->count + 1;
  if (offsets + noffsets * off_size > len) return false;
  /* Offsets count from 1, relative to the byte before the data. */
  size_t base = offsets + noffsets * off_size - 1;
  ix->first = base + cff_uint(d, offsets, off_size);
  ix->first_end = base + cff_uint(d, offsets + off_size, off_size);
  ix->end = base + cff_uint(d, offsets + ix->count * off_size, off_size);
  return ix->first > base && ix->first <= ix->first_end &&
         ix->first_end <= ix->end && ix->end <= len;
}

/* What the Top DICT tells us. */
typedef struct cff_top {
  bool ros;
  long charset, charstrings;
} cff_top;

/* Parses a Top DICT in d[pos..end), keeping ROS, charset and CharStrings. */
static bool cff_read_top(const uint8_t *d, size_t pos, size_t end,
                         cff_top *top) {
  /* Operators and operand encodings (TN #5176, tables 3, 9 and 10). */
  enum {
    OP_LAST = 21,
    OP_ESCAPE = 12,
    OP_CHARSET = 15,
    OP_CHARSTRINGS = 17,
    OP_ROS = 30, /* after OP_ESCAPE */
    INT16 = 28,
    INT32 = 29,
    REAL = 30,
    SMALL_FIRST = 32,
    SMALL_LAST = 246,
    SMALL_BIAS = 139,
    POS_FIRST = 247,
    POS_LAST = 250,
    NEG_FIRST = 251,
    NEG_LAST = 254,
    TWO_BYTE_BIAS = 108,
    REAL_END = 0x0F
  };
  long last = 0; /* the operand just before an operator */
  memset(top, 0, sizeof *top);
  while (pos < end) {
    uint8_t b0 = d[pos++];
    if (b0 <= OP_LAST) {
      if (b0 == OP_ESCAPE) {
        if (pos >= end) return false;
        if (d[pos++] == OP_ROS) top->ros = true;
      } else if (b0 == OP_CHARSET) {
        top->charset = last;
      } else if (b0 == OP_CHARSTRINGS) {
        top->charstrings = last;
      }
    } else if (b0 == INT16) {
      if (pos + 2 > end) return false;
      last = (int16_t)cff_uint(d, pos, 2), pos += 2;
    } else if (b0 == INT32) {
      if (pos + 4 > end) return false;
      last = (int32_t)cff_uint(d, pos, 4), pos += 4;
    } else if (b0 == REAL) { /* nibbles up to an end nibble */
      while (pos < end && (d[pos] & 0x0F) != REAL_END &&
             (d[pos] >> 4) != REAL_END)
        pos++;
      if (pos++ >= end) return false;
      last = 0;
    } else if (b0 >= SMALL_FIRST && b0 <= SMALL_LAST) {
      last = (long)b0 - SMALL_BIAS;
    } else if (b0 >= POS_FIRST && b0 <= POS_LAST) {
      if (pos >= end) return false;
      last = ((long)b0 - POS_FIRST) * 256 + d[pos++] + TWO_BYTE_BIAS;
    } else if (b0 >= NEG_FIRST && b0 <= NEG_LAST) {
      if (pos >= end) return false;
      last = -((long)b0 - NEG_FIRST) * 256 - d[pos++] - TWO_BYTE_BIAS;
    } else {
      return false;
    }
  }
  return true;
}

/* Reads the CFF in d: sets *cid_keyed and, for a CID-keyed font, cids[gid]
 * (an array of *nglyphs entries, caller frees) from the charset. */
static bool cff_read_cids(const uint8_t *d, size_t len, bool *cid_keyed,
                          uint32_t **cids, uint32_t *nglyphs) {
  enum { CHARSET_FORMAT0, CHARSET_FORMAT1, CHARSET_FORMAT2 };
  enum { PREDEFINED_CHARSETS = 3 };
  *cids = NULL;
  if (len < 4) return false;
  cff_index names, tops, strings;
  if (!cff_read_index(d, len, d[2], &names) ||
      !cff_read_index(d, len, names.end, &tops) || tops.count == 0)
    return false;
  cff_top top;
  if (!cff_read_top(d, tops.first, tops.first_end, &top)) return false;
  *cid_keyed = top.ros;
  if (!top.ros) return true;
  if (top.charstrings <= 0 || (size_t)top.charstrings >= len ||
      !cff_read_index(d, len, (size_t)top.charstrings, &strings) ||
      top.charset < PREDEFINED_CHARSETS || (size_t)top.charset >= len)
    return false;
  uint32_t n = strings.count;
  uint32_t *map = lp_xcalloc(n ? n : 1, sizeof *map);
  size_t pos = (size_t)top.charset;
  unsigned format = d[pos++];
  uint32_t gid = 1; /* glyph 0 is .notdef, CID 0, not in the charset */
  while (gid < n) {
    if (format == CHARSET_FORMAT0) {
      if (pos + 2 > len) break;
      map[gid++] = cff_uint(d, pos, 2), pos += 2;
    } else if (format == CHARSET_FORMAT1 || format == CHARSET_FORMAT2) {
      unsigned nleft_size = format == CHARSET_FORMAT1 ? 1 : 2;
      if (pos + 2 + nleft_size > len) break;
      uint32_t first = cff_uint(d, pos, 2);
      uint32_t nleft = cff_uint(d, pos + 2, nleft_size);
      pos += 2 + nleft_size;
      for (uint32_t k = 0; k <= nleft && gid < n; k++) map[gid++] = first + k;
    } else {
      break;
    }
  }
  if (gid < n) {
    free(map);
    return false;
  }
  *cids = map;
  *nglyphs = n;
  return true;
}

/* ---- Subsetting ------------------------------------------------------- */

/* Fills the subset input: the used glyphs plus .notdef, every table we do
 * not embed dropped, glyph ids renumbered. */
static void setup_subset_input(hb_subset_input_t *in, const lp_embed_font *f,
                               bool hinting) {
  hb_set_t *glyphs = hb_subset_input_glyph_set(in);
  hb_set_add(glyphs, 0);
  hb_set_union(glyphs, f->gids);
  hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
  hb_tag_t tags[64];
  unsigned start = 0, count;
  do {
    count = sizeof tags / sizeof *tags;
    hb_face_get_table_tags(f->face->hb_face, start, &count, tags);
    for (unsigned i = 0; i < count; i++)
      if (!lp_face_keeps_table(f->face, tags[i])) hb_set_add(drop, tags[i]);
    start += count;
  } while (count == sizeof tags / sizeof *tags);
  /* Hinting only helps screen rasterisers that use it at small sizes:
   * printing and most viewers ignore it.  TrueType instructions are always
   * left out (with them would go the fpgm, prep and cvt tables).  CFF stem
   * hints are left out unless the template asks (font-hinting): Noto Serif
   * CJK subsets come out about a sixth smaller without.  CFF subroutines
   * are always expanded: a subset uses few of a CJK font's shared
   * subroutines, and without them the program is smaller and hb-subset
   * twice as fast (no subroutine closure to compute). */
  unsigned flags = HB_SUBSET_FLAGS_NO_HINTING;
  if (f->face->is_cff)
    flags = HB_SUBSET_FLAGS_DESUBROUTINIZE |
            (hinting ? 0 : HB_SUBSET_FLAGS_NO_HINTING);
  hb_subset_input_set_flags(in, flags);
}

/* Decides each used glyph's CID in the embedded font and stores it in
 * f->cid_of.
 *
 * TrueType (CIDFontType2, /CIDToGIDMap /Identity) and name-keyed CFF
 * (CIDFontType0C without ROS: the CID is used as the glyph index) take the
 * subset's NEW glyph id.  A CID-keyed CFF maps CIDs to glyphs through its
 * charset, and hb-subset keeps each glyph's CID, so the CID is read from
 * the subset's charset; for Noto/Source Han CJK (Adobe-Identity-0, identity
 * charset) that is the ORIGINAL glyph id.  Writing new ids there draws
 * whatever glyph happens to carry that CID. */
static bool assign_cids(lp_embed *w, lp_embed_font *f, const hb_map_t *old_to_new,
                        hb_blob_t *cff) {
  bool cid_keyed = false;
  uint32_t *charset = NULL, nglyphs = 0;
  if (cff) {
    unsigned len;
    const uint8_t *data = (const uint8_t *)hb_blob_get_data(cff, &len);
    if (!cff_read_cids(data, len, &cid_keyed, &charset, &nglyphs))
      return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                     "PDF writer: cannot read the CFF subset of %s",
                     f->face->path);
  }
  hb_codepoint_t gid = HB_SET_VALUE_INVALID;
  while (hb_set_next(f->gids, &gid)) {
    uint32_t new_gid = hb_map_get(old_to_new, gid);
    if (new_gid == HB_MAP_VALUE_INVALID || (cid_keyed && new_gid >= nglyphs)) {
      free(charset);
      return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                     "PDF writer: glyph %u is not in font %s (index %d)",
                     (unsigned)gid, f->face->path, f->face->index);
    }
    hb_map_set(f->cid_of, gid, cid_keyed ? charset[new_gid] : new_gid);
  }
  free(charset);
  return true;
}

/* Subsets f's face once for the whole document.  On success *font_file is
 * what to embed: the raw 'CFF ' table, or the whole TrueType subset. */
static bool subset_font(lp_embed *w, lp_embed_font *f, hb_blob_t **font_file) {
  *font_file = NULL;
  hb_blob_t *glyf =
      hb_face_reference_table(f->face->hb_face, HB_TAG('g', 'l', 'y', 'f'));
  bool has_glyf = hb_blob_get_length(glyf) > 0;
  hb_blob_destroy(glyf);
  if (!f->face->is_cff && !has_glyf)
    return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: font %s (index %d) has neither CFF nor "
                   "TrueType outlines (CFF2 is not supported)",
                   f->face->path, f->face->index);
  hb_subset_input_t *in = hb_subset_input_create_or_fail();
  hb_subset_plan_t *plan = NULL;
  hb_face_t *sub = NULL;
  hb_blob_t *file = NULL;
  if (in) {
    setup_subset_input(in, f, w->hinting);
    plan = hb_subset_plan_create_or_fail(lp_face_subset_source(f->face), in);
  }
  if (plan) sub = hb_subset_plan_execute_or_fail(plan);
  if (sub)
    file = f->face->is_cff ? hb_face_reference_table(sub, CFF_TAG)
                           : hb_face_reference_blob(sub);
  bool subset = file && hb_blob_get_length(file) > 0;
  bool ok =
      subset && assign_cids(w, f, hb_subset_plan_old_to_new_glyph_mapping(plan),
                            f->face->is_cff ? file : NULL);
  hb_face_destroy(sub);
  hb_subset_plan_destroy(plan);
  hb_subset_input_destroy(in);
  if (ok) {
    *font_file = file;
    return true;
  }
  hb_blob_destroy(file);
  if (!subset)
    return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: cannot subset font %s (index %d)",
                   f->face->path, f->face->index);
  return false; /* assign_cids said why */
}

/* ---- Font objects ----------------------------------------------------- */

/* qsort comparison for uint64_t. */
static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* A glyph's advance in thousandths of glyph-space units (1/1000 em). */
long long lp_embed_glyph_width(const lp_face *face, uint32_t gid) {
  hb_position_t adv = hb_font_get_glyph_h_advance(face->hb_font, gid);
  unsigned upem = face->upem ? face->upem : 1;
  return lp_pdfobj_milli((double)adv * LP_PDF_GLYPH_SPACE / upem);
}

/* Mixes a number into a hash, little-endian on every machine. */
static uint64_t hash_u32(uint64_t h, uint32_t v) {
  unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                        (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
  return lp_hash(h, b, sizeof b);
}

/* "ABCDEF+PsName": a tag hashed from the face and its glyph set (so the
 * same input gives the same name) and the PostScript name reduced to
 * characters that need no escaping in a PDF name. */
static void base_font_name(const lp_embed_font *f, char *out, size_t size) {
  enum { LETTERS = 26 };
  const lp_face *face = f->face;
  const char *path = face->path ? face->path : "";
  const char *ps_name = face->ps_name ? face->ps_name : "";
  uint64_t h = lp_hash(LP_HASH_SEED, path, strlen(path) + 1);
  h = lp_hash(h, ps_name, strlen(ps_name) + 1);
  h = hash_u32(h, (uint32_t)face->index);
  hb_codepoint_t gid = HB_SET_VALUE_INVALID;
  while (hb_set_next(f->gids, &gid)) h = hash_u32(h, gid);
  char tag[SUBSET_TAG_LEN + 1];
  for (int i = 0; i < SUBSET_TAG_LEN; i++) {
    tag[i] = (char)('A' + h % LETTERS);
    h /= LETTERS;
  }
  tag[SUBSET_TAG_LEN] = '\0';

  char ps[PS_NAME_MAX + 1];
  size_t n = 0;
  for (const char *s = ps_name; *s && n < PS_NAME_MAX; s++) {
    unsigned char c = (unsigned char)*s;
    if (lp_pdfobj_is_printable_ascii(c) && c != ' ' && !strchr("()<>[]{}/%#", c))
      ps[n++] = (char)c;
  }
  ps[n] = '\0';
  snprintf(out, size, "%s+%s", tag, n ? ps : FALLBACK_PS_NAME);
}

/* The used glyphs of f as (CID << 32 | original gid), sorted by CID; *n
 * entries, caller frees. */
static uint64_t *sorted_cids(const lp_embed_font *f, size_t *n) {
  *n = hb_set_get_population(f->gids);
  uint64_t *pairs = lp_xmalloc(*n * sizeof *pairs);
  size_t k = 0;
  hb_codepoint_t gid = HB_SET_VALUE_INVALID;
  while (hb_set_next(f->gids, &gid))
    pairs[k++] = (uint64_t)hb_map_get(f->cid_of, gid) << 32 | gid;
  qsort(pairs, *n, sizeof *pairs, compare_u64);
  return pairs;
}

/* The /W array: widths of the used CIDs, consecutive CIDs grouped as
 * `c [w1 w2 …]`; CIDs whose width is /DW are left out. */
static HPDF_Array width_array(lp_embed *w, const lp_embed_font *f) {
  HPDF_MMgr mmgr = w->pdf->mmgr;
  HPDF_Array widths = HPDF_Array_New(mmgr);
  if (!widths) return NULL;
  size_t n;
  uint64_t *pairs = sorted_cids(f, &n);
  HPDF_Array group = NULL;
  uint32_t next_cid = 0, in_group = 0;
  bool ok = true;
  for (size_t k = 0; k < n && ok; k++) {
    uint32_t cid = (uint32_t)(pairs[k] >> 32);
    long long width = lp_embed_glyph_width(f->face, (uint32_t)pairs[k]);
    if (width == DEFAULT_WIDTH_MILLI) {
      group = NULL;
      continue;
    }
    if (!group || cid != next_cid || in_group == W_GROUP_MAX) {
      ok = HPDF_Array_AddNumber(widths, (HPDF_INT32)cid) == HPDF_OK;
      group = ok ? HPDF_Array_New(mmgr) : NULL;
      /* HPDF_Array_Add frees group itself when it fails. */
      ok = group && HPDF_Array_Add(widths, group) == HPDF_OK;
      in_group = 0;
    }
    ok = ok && lp_pdfobj_array_add_milli(group, width) == HPDF_OK;
    in_group++;
    next_cid = cid + 1;
  }
  free(pairs);
  if (ok) return widths;
  HPDF_Array_Free(widths);
  return NULL;
}

/* The ToUnicode CMap of f: each CID to the UTF-16BE text of the first glyph
 * seen with it that carries cluster text (a ligature maps to all of its
 * characters).  This is deliberately not an inverted cmap: that can pick a
 * compatibility ideograph sharing the glyph (NOTES-PDF.md). */
static void tounicode_cmap(const lp_embed_font *f, lp_buf *b) {
  lp_buf_puts(b,
              "/CIDInit /ProcSet findresource begin\n"
              "12 dict begin\n"
              "begincmap\n"
              "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
              "/Supplement 0 >> def\n"
              "/CMapName /Adobe-Identity-UCS def\n"
              "/CMapType 2 def\n"
              "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
  size_t n;
  uint64_t *pairs = sorted_cids(f, &n);
  /* Keep only glyphs with text, in place. */
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (hb_map_has(f->text_of, (uint32_t)pairs[k])) pairs[m++] = pairs[k];
  lp_buf utf16 = {0};
  for (size_t k = 0; k < m; k++) {
    if (k % BFCHAR_BLOCK == 0) {
      size_t left = m - k;
      lp_buf_printf(b, "%zu beginbfchar\n",
                    left < BFCHAR_BLOCK ? left : (size_t)BFCHAR_BLOCK);
    }
    uint32_t cid = (uint32_t)(pairs[k] >> 32);
    const lp_dglyph *g = f->texts[hb_map_get(f->text_of, (uint32_t)pairs[k])];
    utf16.len = 0;
    lp_pdfobj_put_utf16be(&utf16, g->text, g->text_len, TOUNICODE_MAX_UNITS);
    unsigned char code[2] = {(unsigned char)(cid >> 8), (unsigned char)cid};
    lp_buf_puts(b, "<");
    lp_pdfobj_put_hex(b, code, sizeof code);
    lp_buf_puts(b, "> <");
    lp_pdfobj_put_hex(b, utf16.data, utf16.len);
    lp_buf_puts(b, ">\n");
    if (k % BFCHAR_BLOCK == BFCHAR_BLOCK - 1 || k == m - 1)
      lp_buf_puts(b, "endbfchar\n");
  }
  lp_buf_free(&utf16);
  free(pairs);
  lp_buf_puts(b,
              "endcmap\n"
              "CMapName currentdict /CMap defineresource pop\n"
              "end\nend\n");
}

/* /FontBBox: the face's own box (its 'head' table), as PDF producers
 * commonly give for subsets; the union of the subset's glyphs would be
 * tighter, but measuring CFF outlines cost as much as a third of writing a
 * letter's PDF, and readers take any box that encloses the glyphs. */
static HPDF_Array bbox_array(lp_embed *w, const lp_face *face) {
  double box[4] = {floor(face->bbox[0] * LP_PDF_GLYPH_SPACE),
                   floor(face->bbox[1] * LP_PDF_GLYPH_SPACE),
                   ceil(face->bbox[2] * LP_PDF_GLYPH_SPACE),
                   ceil(face->bbox[3] * LP_PDF_GLYPH_SPACE)};
  HPDF_Array a = HPDF_Array_New(w->pdf->mmgr);
  if (!a) return NULL;
  for (int i = 0; i < 4; i++)
    if (HPDF_Array_AddNumber(a, (HPDF_INT32)box[i]) != HPDF_OK) {
      HPDF_Array_Free(a);
      return NULL;
    }
  return a;
}

/* The /CIDSet stream PDF/A-1 asks of a subset CID font (19005-1
 * 6.3.5): one bit per CID, most significant first, set for .notdef and
 * each CID the document draws (f->cid_of); for TrueType, whose CIDs are
 * the subset's dense new glyph ids, every id up to the largest. */
static HPDF_Dict cid_set(lp_embed *w, const lp_embed_font *f) {
  uint32_t max = 0;
  hb_codepoint_t gid = HB_SET_VALUE_INVALID;
  while (hb_set_next(f->gids, &gid)) {
    uint32_t cid = hb_map_get(f->cid_of, gid);
    if (cid != HB_MAP_VALUE_INVALID && cid > max) max = cid;
  }
  size_t nbytes = max / 8 + 1;
  unsigned char *bits = lp_xcalloc(nbytes, 1);
  bits[0] |= 0x80; /* CID 0, .notdef */
  gid = HB_SET_VALUE_INVALID;
  while (hb_set_next(f->gids, &gid)) {
    uint32_t cid = hb_map_get(f->cid_of, gid);
    if (cid != HB_MAP_VALUE_INVALID)
      bits[cid / 8] |= (unsigned char)(0x80 >> (cid % 8));
  }
  if (!f->face->is_cff)
    for (uint32_t c = 0; c <= max; c++)
      bits[c / 8] |= (unsigned char)(0x80 >> (c % 8));
  HPDF_Dict s = lp_pdfobj_stream(w->pdf, bits, nbytes);
  free(bits);
  return s;
}

/* The FontDescriptor of f, pointing at the embedded font file. */
static HPDF_Dict font_descriptor(lp_embed *w, const lp_embed_font *f, const char *name,
                                 HPDF_Dict file) {
  const lp_face *face = f->face;
  HPDF_Dict desc = lp_pdfobj_indirect_dict(w->pdf);
  if (!desc) return NULL;
  int flags = FLAG_SYMBOLIC | (face->italic ? FLAG_ITALIC : 0);
  double cap = face->cap_height > 0 ? face->cap_height : face->ascender;
  int bad = 0;
  bad += HPDF_Dict_AddName(desc, "Type", "FontDescriptor") != HPDF_OK;
  bad += HPDF_Dict_AddName(desc, "FontName", name) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(desc, "Flags", flags) != HPDF_OK;
  bad += HPDF_Dict_Add(desc, "FontBBox", bbox_array(w, face)) != HPDF_OK;
  bad += HPDF_Dict_AddReal(desc, "ItalicAngle",
                           (HPDF_REAL)((double)lp_pdfobj_milli(face->italic_angle) /
                                       LP_PDF_MILLI)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(
             desc, "Ascent",
             (HPDF_INT32)lround(face->ascender * LP_PDF_GLYPH_SPACE)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(
             desc, "Descent",
             (HPDF_INT32)lround(face->descender * LP_PDF_GLYPH_SPACE)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(desc, "CapHeight",
                             (HPDF_INT32)lround(cap * LP_PDF_GLYPH_SPACE)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(desc, "StemV", STEM_V) != HPDF_OK;
  bad += HPDF_Dict_Add(desc, face->is_cff ? "FontFile3" : "FontFile2", file) !=
         HPDF_OK;
  if (w->cid_set) bad += HPDF_Dict_Add(desc, "CIDSet", cid_set(w, f)) != HPDF_OK;
  return bad ? NULL : desc;
}

/* The embedded font program: FontFile3 /CIDFontType0C for CFF, FontFile2
 * (with the /Length1 it requires) for TrueType. */
lp_embed_cache *lp_embed_cache_new(void) {
  return lp_xcalloc(1, sizeof(lp_embed_cache));
}

static void cache_entry_clear(cache_entry *e) {
  hb_set_destroy(e->gids);
  hb_map_destroy(e->cid_of);
  free(e->zdata);
  memset(e, 0, sizeof *e);
}

void lp_embed_cache_free(lp_embed_cache *c) {
  if (!c) return;
  for (int i = 0; i < CACHE_ENTRIES; i++) cache_entry_clear(&c->entries[i]);
  for (int i = 0; i < 2; i++) libdeflate_free_compressor(c->deflaters[i]);
  lp_embed_cache_clear_anchors(c);
  free(c->anchors);
  free(c);
}

void lp_embed_cache_clear_anchors(lp_embed_cache *c) {
  for (size_t i = 0; i < c->nanchors; i++) hb_set_destroy(c->anchors[i].gids);
  c->nanchors = 0;
}

void lp_embed_cache_set_anchors(lp_embed_cache *c, const lp_display *d) {
  lp_embed_cache_clear_anchors(c);
  for (size_t p = 0; p < d->npages; p++)
    for (size_t r = 0; r < d->pages[p].nruns; r++) {
      const lp_drun *run = &d->pages[p].runs[r];
      if (!run->face || !run->count) continue;
      anchor_set *a = NULL;
      for (size_t i = 0; i < c->nanchors && !a; i++)
        if (c->anchors[i].face == run->face) a = &c->anchors[i];
      if (!a) {
        LP_GROW(c->anchors, c->anchors_cap, c->nanchors + 1);
        a = &c->anchors[c->nanchors++];
        a->face = run->face;
        a->gids = hb_set_create();
      }
      for (size_t k = 0; k < run->count; k++)
        hb_set_add(a->gids, run->glyphs[k].gid);
    }
}

/* The remembered subset of f's face with exactly f's glyphs, made the same
 * way (with hinting or without, compressed as an anchor or not), or NULL:
 * the bytes must not depend on what the cache saw before. */
static cache_entry *cache_find(lp_embed_cache *c, const lp_embed_font *f,
                               bool hinting, bool anchor) {
  for (int i = 0; c && i < CACHE_ENTRIES; i++) {
    cache_entry *e = &c->entries[i];
    if (e->face == f->face && e->hinting == hinting && e->anchor == anchor &&
        hb_set_is_equal(e->gids, f->gids)) {
      e->used = ++c->clock;
      return e;
    }
  }
  return NULL;
}

/* Remembers f's subset (its compressed program and CIDs), replacing the
 * least recently used entry. */
static void cache_put(lp_embed_cache *c, const lp_embed_font *f, bool hinting,
                      bool anchor, const unsigned char *zdata, size_t zlen,
                      size_t raw_len) {
  cache_entry *e = &c->entries[0];
  for (int i = 1; i < CACHE_ENTRIES; i++)
    if (c->entries[i].used < e->used) e = &c->entries[i];
  cache_entry_clear(e);
  e->face = f->face;
  e->hinting = hinting;
  e->anchor = anchor;
  e->gids = hb_set_copy(f->gids);
  e->cid_of = hb_map_copy(f->cid_of);
  e->zdata = lp_xmalloc(zlen);
  memcpy(e->zdata, zdata, zlen);
  e->zlen = zlen;
  e->raw_len = raw_len;
  e->used = ++c->clock;
}

/* Compresses data (zlib format, for /FlateDecode) into out at the fast
 * level, or at DEFLATE_LEVEL_ANCHOR when `anchor`.  The deflaters are made
 * on first use and kept by the cache when there is one (their tables are
 * large to set up). */
static bool deflate_bytes(lp_embed *w, const void *data, size_t len,
                          bool anchor, lp_buf *out) {
  struct libdeflate_compressor **z =
      &(w->cache ? w->cache->deflaters : w->deflaters)[anchor];
  if (!*z)
    *z = libdeflate_alloc_compressor(anchor ? DEFLATE_LEVEL_ANCHOR
                                            : DEFLATE_LEVEL);
  if (!*z) return false;
  size_t bound = libdeflate_zlib_compress_bound(*z, len);
  LP_GROW(out->data, out->cap, bound + 1);
  out->len = libdeflate_zlib_compress(*z, data, len, out->data, bound);
  return out->len > 0;
}

/* Writes /Filter into a stream dictionary that libharu leaves unfiltered
 * (it drops a /Filter key of such a stream, then calls this). */
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream stream) {
  (void)dict;
  return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

/* Writes data into stream s compressed here (libharu must not compress it
 * again), with its /Filter.  An empty stream stays unfiltered: libharu
 * writes an empty Flate stream truncated (mupdf warns "premature end of
 * data"). */
bool lp_embed_put_flate(lp_embed *w, HPDF_Dict s, const void *data, size_t len) {
  s->filter = HPDF_STREAM_FILTER_NONE;
  if (!len) return true;
  lp_buf z = {0};
  bool ok = deflate_bytes(w, data, len, false, &z) &&
            HPDF_Stream_Write(s->stream, z.data, (HPDF_UINT)z.len) == HPDF_OK;
  lp_buf_free(&z);
  if (ok) s->write_fn = write_flate_filter;
  return ok;
}

/* The font file stream: the compressed program written as it is (libharu
 * must not compress it again), with /Filter, and /Subtype or /Length1. */
static HPDF_Dict font_file_stream(lp_embed *w, const lp_embed_font *f,
                                  const unsigned char *zdata, size_t zlen,
                                  size_t raw_len) {
  HPDF_Dict file = HPDF_DictStream_New(w->pdf->mmgr, w->pdf->xref);
  if (!file) return NULL;
  file->filter = HPDF_STREAM_FILTER_NONE;
  file->write_fn = write_flate_filter;
  if (HPDF_Stream_Write(file->stream, zdata, (HPDF_UINT)zlen) != HPDF_OK)
    return NULL;
  HPDF_STATUS st =
      f->face->is_cff
          ? HPDF_Dict_AddName(file, "Subtype", "CIDFontType0C")
          : HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)raw_len);
  return st == HPDF_OK ? file : NULL;
}

/* The embedded font program of f: from the cache, or subset now (and
 * remembered).  Sets f->cid_of either way. */
static HPDF_Dict font_program(lp_embed *w, lp_embed_font *f) {
  bool hinting = w->hinting;
  bool anchor = !f->extra && anchor_of(w, f->face);
  cache_entry *e = cache_find(w->cache, f, hinting, anchor);
  if (e) {
    hb_map_destroy(f->cid_of);
    f->cid_of = hb_map_copy(e->cid_of);
    return font_file_stream(w, f, e->zdata, e->zlen, e->raw_len);
  }
  hb_blob_t *blob;
  if (!subset_font(w, f, &blob)) return NULL;
  unsigned len;
  const unsigned char *data =
      (const unsigned char *)hb_blob_get_data(blob, &len);
  lp_buf z = {0};
  HPDF_Dict file = NULL;
  if (deflate_bytes(w, data, len, anchor, &z)) {
    if (w->cache) cache_put(w->cache, f, hinting, anchor, z.data, z.len, len);
    file = font_file_stream(w, f, z.data, z.len, len);
  } else {
    lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
            "PDF writer: cannot compress font %s", f->face->path);
  }
  lp_buf_free(&z);
  hb_blob_destroy(blob);
  return file;
}

/* /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>. */
static HPDF_Dict cid_system_info(lp_embed *w) {
  HPDF_MMgr mmgr = w->pdf->mmgr;
  HPDF_Dict info = HPDF_Dict_New(mmgr);
  if (!info) return NULL;
  int bad = 0;
  bad += HPDF_Dict_Add(info, "Registry",
                       HPDF_String_New(mmgr, "Adobe", NULL)) != HPDF_OK;
  bad += HPDF_Dict_Add(info, "Ordering",
                       HPDF_String_New(mmgr, "Identity", NULL)) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(info, "Supplement", 0) != HPDF_OK;
  if (!bad) return info;
  HPDF_Dict_Free(info);
  return NULL;
}

/* Subsets f and creates its objects: Type0 font, CIDFont, FontDescriptor,
 * font file and ToUnicode CMap; f->type0 is the one pages refer to. */
static bool embed_font(lp_embed *w, lp_embed_font *f) {
  HPDF_Dict file = font_program(w, f);
  if (!file) return w->err && w->err->code ? false : haru_fail(w, "embedding a font");
  char name[SUBSET_TAG_LEN + 1 + PS_NAME_MAX + 1];
  base_font_name(f, name, sizeof name);

  lp_buf cmap = {0};
  tounicode_cmap(f, &cmap);
  HPDF_Dict tounicode = new_stream(w, cmap.data, cmap.len);
  lp_buf_free(&cmap);
  HPDF_Dict desc = file ? font_descriptor(w, f, name, file) : NULL;
  HPDF_Dict cidfont = lp_pdfobj_indirect_dict(w->pdf);
  HPDF_Dict type0 = lp_pdfobj_indirect_dict(w->pdf);
  HPDF_Array descendants = HPDF_Array_New(w->pdf->mmgr);
  if (!tounicode || !desc || !cidfont || !type0 || !descendants)
    return haru_fail(w, "embedding a font");

  int bad = 0;
  bad += HPDF_Dict_AddName(cidfont, "Type", "Font") != HPDF_OK;
  bad += HPDF_Dict_AddName(cidfont, "Subtype",
                           f->face->is_cff ? "CIDFontType0" : "CIDFontType2") !=
         HPDF_OK;
  bad += HPDF_Dict_AddName(cidfont, "BaseFont", name) != HPDF_OK;
  bad += HPDF_Dict_Add(cidfont, "CIDSystemInfo", cid_system_info(w)) != HPDF_OK;
  bad += HPDF_Dict_Add(cidfont, "FontDescriptor", desc) != HPDF_OK;
  bad += HPDF_Dict_AddNumber(cidfont, "DW", DEFAULT_WIDTH_MILLI / LP_PDF_MILLI) !=
         HPDF_OK;
  bad += HPDF_Dict_Add(cidfont, "W", width_array(w, f)) != HPDF_OK;
  if (!f->face->is_cff)
    bad += HPDF_Dict_AddName(cidfont, "CIDToGIDMap", "Identity") != HPDF_OK;

  bad += HPDF_Array_Add(descendants, cidfont) != HPDF_OK;
  bad += HPDF_Dict_AddName(type0, "Type", "Font") != HPDF_OK;
  bad += HPDF_Dict_AddName(type0, "Subtype", "Type0") != HPDF_OK;
  bad += HPDF_Dict_AddName(type0, "BaseFont", name) != HPDF_OK;
  bad += HPDF_Dict_AddName(type0, "Encoding", "Identity-H") != HPDF_OK;
  bad += HPDF_Dict_Add(type0, "DescendantFonts", descendants) != HPDF_OK;
  bad += HPDF_Dict_Add(type0, "ToUnicode", tounicode) != HPDF_OK;
  if (bad) return haru_fail(w, "embedding a font");
  f->type0 = type0;
  return true;
}

bool lp_embed_write_fonts(lp_embed *w) {
  for (size_t i = 0; i < w->nfonts; i++)
    if (!embed_font(w, &w->fonts[i])) return false;
  return true;
}
