/* display.c - storage for the laid-out document (see display.h). */
#include "display.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TEXT_CHUNK 65536

lp_display *lp_display_new(void) { return lp_xcalloc(1, sizeof(lp_display)); }

void lp_display_free(lp_display *d) {
  if (!d) return;
  for (size_t i = 0; i < d->npages; i++) {
    lp_dpage *p = &d->pages[i];
    for (size_t r = 0; r < p->nruns; r++) free(p->runs[r].glyphs);
    free(p->runs);
    free(p->rules);
    for (size_t f = 0; f < p->nfields; f++) free(p->fields[f].name);
    free(p->fields);
    for (size_t k = 0; k < p->nimages; k++)
      lp_dimage_data_unref(p->images[k].data);
    free(p->images);
    for (size_t k = 0; k < p->nlinks; k++) {
      free(p->links[k].uri);
      free(p->links[k].contents);
    }
    free(p->links);
  }
  free(d->pages);
  for (size_t i = 0; i < d->noutlines; i++) free(d->outlines[i].title);
  free(d->outlines);
  for (size_t i = 0; i < d->ntext_chunks; i++) free(d->text_chunks[i]);
  free(d->text_chunks);
  free(d->meta.title);
  free(d->meta.author);
  free(d->meta.subject);
  free(d->meta.keywords);
  free(d->meta.creator);
  free(d->meta.lang);
  for (size_t i = 0; i < d->meta.nattachments; i++)
    free(d->meta.attachments[i].name), free(d->meta.attachments[i].json);
  free(d->meta.attachments);
  lp_tags_free(&d->tags);
  free(d);
}

lp_dpage *lp_display_add_page(lp_display *d, double width, double height) {
  LP_GROW(d->pages, d->pages_cap, d->npages + 1);
  lp_dpage *p = &d->pages[d->npages++];
  memset(p, 0, sizeof *p);
  p->width = width;
  p->height = height;
  return p;
}

lp_drun *lp_dpage_add_run(lp_dpage *p, lp_face *face, double size,
                          double gray) {
  LP_GROW(p->runs, p->runs_cap, p->nruns + 1);
  lp_drun *r = &p->runs[p->nruns++];
  memset(r, 0, sizeof *r);
  r->face = face;
  r->size = size;
  r->gray = gray;
  return r;
}

/* Copies text into the display's chunked storage; pointers stay valid. */
static const char *store_text(lp_display *d, const char *text, size_t len) {
  if (len > d->text_avail) {
    size_t n = len > TEXT_CHUNK ? len : TEXT_CHUNK;
    LP_GROW(d->text_chunks, d->text_chunks_cap, d->ntext_chunks + 1);
    d->text_chunks[d->ntext_chunks++] = lp_xmalloc(n);
    d->text_used = 0;
    d->text_avail = n;
  }
  char *dst = d->text_chunks[d->ntext_chunks - 1] + d->text_used;
  memcpy(dst, text, len);
  d->text_used += len;
  d->text_avail -= len;
  return dst;
}

void lp_dpage_add_glyph(lp_display *d, lp_dpage *p, uint32_t gid, double x,
                        double y, double advance, const char *text,
                        size_t len) {
  lp_drun *r = &p->runs[p->nruns - 1];
  LP_GROW(r->glyphs, r->cap, r->count + 1);
  lp_dglyph *g = &r->glyphs[r->count++];
  g->gid = gid;
  g->x = x;
  g->y = y;
  g->advance = advance;
  g->text = text && len ? store_text(d, text, len) : NULL;
  g->text_len = text ? (uint32_t)len : 0;
}

void lp_dpage_add_rule(lp_dpage *p, double x1, double y1, double x2,
                       double y2, double width, double gray) {
  LP_GROW(p->rules, p->rules_cap, p->nrules + 1);
  p->rules[p->nrules++] = (lp_drule){x1, y1, x2, y2, width, gray};
}

void lp_display_add_outline(lp_display *d, const char *title, size_t page,
                            double y) {
  LP_GROW(d->outlines, d->outlines_cap, d->noutlines + 1);
  d->outlines[d->noutlines++] =
      (lp_doutline){lp_xstrdup(title ? title : ""), page, y};
}

lp_dimage_data *lp_dimage_data_new(const unsigned char *bytes, size_t len,
                                   int kind, int px_w, int px_h) {
  lp_dimage_data *img = lp_xcalloc(1, sizeof *img);
  img->refs = 1;
  img->kind = kind;
  img->px_w = px_w;
  img->px_h = px_h;
  img->bytes = lp_xmalloc(len ? len : 1);
  memcpy(img->bytes, bytes, len);
  img->len = len;
  return img;
}

void lp_dimage_data_unref(lp_dimage_data *img) {
  if (!img || --img->refs) return;
  free(img->bytes);
  free(img);
}

lp_dimage *lp_dpage_add_image(lp_dpage *p, lp_dimage_data *img, double x,
                              double y, double w, double h, bool over_text) {
  LP_GROW(p->images, p->images_cap, p->nimages + 1);
  img->refs++;
  p->images[p->nimages] = (lp_dimage){img, x, y, w, h, over_text, 0};
  return &p->images[p->nimages++];
}

lp_dfield *lp_dpage_add_field(lp_dpage *p, lp_field_kind kind,
                              const char *name, double x1, double y1,
                              double x2, double y2, double font_size,
                              bool checked) {
  LP_GROW(p->fields, p->fields_cap, p->nfields + 1);
  p->fields[p->nfields] = (lp_dfield){kind, lp_xstrdup(name ? name : ""),
                                      x1, y1, x2, y2, font_size, checked, 0};
  return &p->fields[p->nfields++];
}

lp_dlink *lp_dpage_add_link(lp_dpage *p, const char *uri, const char *contents,
                            double x1, double y1, double x2, double y2) {
  LP_GROW(p->links, p->links_cap, p->nlinks + 1);
  p->links[p->nlinks] =
      (lp_dlink){x1, y1, x2, y2, lp_xstrdup(uri ? uri : ""),
                 lp_xstrdup(contents ? contents : ""), 0};
  return &p->links[p->nlinks++];
}

/* Strings with a number each (a set when the numbers are not used): open
 * addressing over a power-of-two table, at most half full.  Keys are
 * borrowed. */
typedef struct name_map {
  const char **keys;
  int *values;
  size_t cap, n;
} name_map;

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t name_slot(const name_map *m, const char *key) {
  size_t i = lp_hash(LP_HASH_SEED, key, strlen(key)) & (m->cap - 1);
  while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & (m->cap - 1);
  return i;
}

/* The number of key, or NULL when the map does not hold it. */
static int *name_find(const name_map *m, const char *key) {
  if (!m->cap) return NULL;
  size_t i = name_slot(m, key);
  return m->keys[i] ? &m->values[i] : NULL;
}

/* Adds key (not yet in the map) with value. */
static void name_add(name_map *m, const char *key, int value) {
  if ((m->n + 1) * 2 > m->cap) {
    name_map bigger = {0};
    bigger.cap = m->cap ? m->cap * 2 : 64;
    bigger.keys = lp_xcalloc(bigger.cap, sizeof *bigger.keys);
    bigger.values = lp_xcalloc(bigger.cap, sizeof *bigger.values);
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i]) name_add(&bigger, m->keys[i], m->values[i]);
    free(m->keys);
    free(m->values);
    *m = bigger;
  }
  size_t i = name_slot(m, key);
  m->keys[i] = key, m->values[i] = value;
  m->n++;
}

char **lp_display_field_names(const lp_display *d, size_t *count) {
  size_t n = 0;
  for (size_t p = 0; p < d->npages; p++) n += d->pages[p].nfields;
  char **names = lp_xcalloc(n ? n : 1, sizeof *names);
  /* used: every name given so far, with the next suffix to try when it is
   * met again as a base; a base's suffixes are tried from there, so a name
   * repeated in every letter of a merge costs one step per field. */
  name_map used = {0};
  lp_buf b = {0};
  size_t k = 0;
  for (size_t p = 0; p < d->npages; p++)
    for (size_t i = 0; i < d->pages[p].nfields; i++) {
      const char *base = d->pages[p].fields[i].name;
      int *next = name_find(&used, base);
      if (!next) {
        names[k] = lp_xstrdup(base);
        name_add(&used, names[k], 2);
        k++;
        continue;
      }
      int suffix = *next;
      for (;; suffix++) {
        b.len = 0;
        lp_buf_printf(&b, "%s_%d", base, suffix);
        lp_buf_append(&b, "", 1);
        if (!name_find(&used, (char *)b.data)) break;
      }
      *next = suffix + 1; /* before name_add, which may move the table */
      names[k] = lp_xstrdup((char *)b.data);
      name_add(&used, names[k], 2);
      k++;
    }
  lp_buf_free(&b);
  free(used.keys);
  free(used.values);
  *count = k;
  return names;
}

void lp_display_free_names(char **names, size_t count) {
  for (size_t i = 0; names && i < count; i++) free(names[i]);
  free(names);
}

void lp_display_add_attachment(lp_display *d, const char *name,
                               const char *json) {
  lp_dmeta *m = &d->meta;
  LP_GROW(m->attachments, m->attachments_cap, m->nattachments + 1);
  m->attachments[m->nattachments++] =
      (lp_dattach){lp_xstrdup(name), lp_xstrdup(json)};
}

/* Moves src's attachments to the end of dst's (a combined merge carries
 * every record's data). */
static void append_attachments(lp_dmeta *dst, lp_dmeta *src) {
  LP_GROW(dst->attachments, dst->attachments_cap,
          dst->nattachments + src->nattachments);
  for (size_t i = 0; i < src->nattachments; i++)
    dst->attachments[dst->nattachments++] = src->attachments[i];
  src->nattachments = 0;
}

void lp_display_append(lp_display *dst, lp_display *src) {
  append_attachments(&dst->meta, &src->meta);
  size_t first = dst->npages;
  LP_GROW(dst->pages, dst->pages_cap, dst->npages + src->npages);
  memcpy(dst->pages + dst->npages, src->pages, src->npages * sizeof *src->pages);
  /* The structure ids of src's pages follow its elements into dst. */
  uint32_t offset = lp_tags_append(&dst->tags, &src->tags);
  for (size_t i = dst->npages; i < dst->npages + src->npages; i++) {
    lp_dpage *p = &dst->pages[i];
    for (size_t r = 0; r < p->nruns; r++)
      if (p->runs[r].tag) p->runs[r].tag += offset;
    for (size_t k = 0; k < p->nimages; k++)
      if (p->images[k].tag) p->images[k].tag += offset;
    for (size_t k = 0; k < p->nfields; k++)
      if (p->fields[k].tag) p->fields[k].tag += offset;
    for (size_t k = 0; k < p->nlinks; k++)
      if (p->links[k].tag) p->links[k].tag += offset;
  }
  dst->npages += src->npages;
  for (size_t i = 0; i < src->noutlines; i++) {
    lp_doutline o = src->outlines[i];
    o.page += first;
    LP_GROW(dst->outlines, dst->outlines_cap, dst->noutlines + 1);
    dst->outlines[dst->noutlines++] = o;
  }
  /* Glyph texts point into src's chunks: the chunks move too.  dst keeps
   * filling its own last chunk, which stays last. */
  LP_GROW(dst->text_chunks, dst->text_chunks_cap,
          dst->ntext_chunks + src->ntext_chunks);
  if (!src->ntext_chunks) {
    /* nothing to move (memcpy from NULL is undefined even for 0 bytes) */
  } else if (dst->ntext_chunks) {
    char *last = dst->text_chunks[dst->ntext_chunks - 1];
    memcpy(dst->text_chunks + dst->ntext_chunks - 1, src->text_chunks,
           src->ntext_chunks * sizeof *src->text_chunks);
    dst->ntext_chunks += src->ntext_chunks;
    dst->text_chunks[dst->ntext_chunks - 1] = last;
  } else {
    memcpy(dst->text_chunks, src->text_chunks,
           src->ntext_chunks * sizeof *src->text_chunks);
    dst->ntext_chunks = src->ntext_chunks;
    dst->text_used = src->text_used;
    dst->text_avail = src->text_avail;
  }
  free(src->pages);
  free(src->outlines);
  free(src->text_chunks);
  src->pages = NULL, src->npages = src->pages_cap = 0;
  src->outlines = NULL, src->noutlines = src->outlines_cap = 0;
  src->text_chunks = NULL, src->ntext_chunks = src->text_chunks_cap = 0;
  src->text_used = src->text_avail = 0;
}
