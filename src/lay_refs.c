/* lay_refs.c - links and footnote references in a paragraph's text. */
#include "lay_refs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fill.h"
#include "util.h"

#define NOTE_REF_SCALE 0.62  /* a reference's number, of the text size */
#define URL_PRINTED_MAX 2048 /* longer addresses are not printed */
/* ---- Links ---------------------------------------------------------------- */

/* Whether url is an address a link may open: web, mail or FTP.  Other
 * schemes (javascript:, file:, data:) and relative paths make no link. */
static bool linkable(const char *url) {
  static const char *const schemes[] = {"http://", "https://", "mailto:",
                                        "ftp://"};
  for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++)
    if (!strncasecmp(url, schemes[k], strlen(schemes[k])) &&
        url[strlen(schemes[k])])
      return true;
  return false;
}

/* The address as printed: without mailto:. */
static const char *printed_url(const char *url) {
  return strncasecmp(url, "mailto:", 7) ? url : url + 7;
}

/* s without a leading scheme (http://, https://, mailto:) and a trailing
 * slash: [s, *end). */
static const char *bare(const char *s, size_t len, size_t *n) {
  static const char *const schemes[] = {"http://", "https://", "mailto:"};
  for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++) {
    size_t m = strlen(schemes[k]);
    if (len >= m && !strncasecmp(s, schemes[k], m)) {
      s += m;
      len -= m;
      break;
    }
  }
  if (len && s[len - 1] == '/') len--;
  *n = len;
  return s;
}

/* Whether the link's text already shows its address (an autolink, or
 * [www.example.com](https://www.example.com/)): then it is not printed
 * again. */
static bool text_is_url(const char *text, size_t tlen, const char *url) {
  size_t a, b;
  const char *x = bare(text, tlen, &a), *y = bare(url, strlen(url), &b);
  return a == b && !strncasecmp(x, y, a);
}

/* Adds an inline element [start, end) of role to p. */
static struct pelem *add_elem(para *p, size_t start, size_t end,
                              const char *role, uint32_t link) {
  LP_GROW(p->elems, p->elems_cap, p->nelems + 1);
  p->elems[p->nelems] = (struct pelem){start, end, role, link, 0, 0};
  return &p->elems[p->nelems++];
}

/* A new note of the letter: a definition's, or an address's. */
static lnote *add_note(L *l, cmark_node *def, const char *url, int line) {
  LP_GROW(l->letter.notes, l->letter.notes_cap, l->letter.nnotes + 1);
  lnote *n = &l->letter.notes[l->letter.nnotes];
  *n = (lnote){def, url ? lp_xstrdup(url) : NULL,
               (uint32_t)l->letter.nnotes + 1, SIZE_MAX, 0, 0, false, 0, line};
  l->letter.nnotes++;
  return n;
}

/* Appends a note's number to p, raised, as a Reference element.  A word
 * joiner before it keeps it on the line of the word it follows (UAX #14
 * LB11), whatever comes before (CJK punctuation allows a break). */
static void add_reference(L *l, para *p, const lnote *n, lp_chain *chain,
                          unsigned flags, double size) {
  char num[16];
  int len = snprintf(num, sizeof num, "\xE2\x81\xA0%u", n->number);
  size_t start = p->text.len;
  lp_lay_para_text(p, num, (size_t)len, chain, size * NOTE_REF_SCALE,
                   flags | SPAN_RAISED);
  if (p->text.len - start > (size_t)len) start = p->text.len - (size_t)len;
  lp_blank_names_add_literal(&p->names, start, p->text.len);
  struct pelem *e = add_elem(p, start, p->text.len, "Reference", 0);
  e->note = (uint32_t)(n - l->letter.notes) + 1;
}

void lp_lay_link_end(L *l, cmark_node *node, para *p, size_t start,
                     bool soft, lp_chain *chain, unsigned flags,
                     double size) {
  const char *url = cmark_node_get_url(node);
  if (!url || !linkable(url)) return;
  if (soft && start < p->text.len && p->text.data[start] == ' ') start++;
  size_t end = p->text.len;
  const char *text = (const char *)p->text.data + start;
  int print = l->doc.tpl->meta.print_urls;
  bool shown = end > start && text_is_url(text, end - start, url);
  if (strlen(url) > URL_PRINTED_MAX) print = LP_PRINT_URLS_NONE;
  /* Notes do not nest: in a note, the address goes after the text. */
  if (print == LP_PRINT_URLS_FOOTNOTE && l->letter.in_note)
    print = LP_PRINT_URLS_INLINE;
  if (print == LP_PRINT_URLS_INLINE && !shown) {
    /* The address, as the template or the data gave it: literal. */
    size_t at = p->text.len;
    lp_lay_para_text(p, " (", 2, chain, size, flags);
    size_t u0 = p->text.len;
    lp_lay_para_text(p, printed_url(url), strlen(printed_url(url)), chain,
                     size, flags);
    lp_blank_names_add_literal(&p->names, u0, p->text.len);
    lp_lay_para_text(p, ")", 1, chain, size, flags);
    if (start == end) start = at + 1; /* an empty text: the address */
    end = p->text.len;
  }
  LP_GROW(l->letter.links, l->letter.links_cap, l->letter.nlinks + 1);
  l->letter.links[l->letter.nlinks] =
      (llink){lp_xstrdup(url),
              lp_xstrndup((const char *)p->text.data + start, end - start), 0};
  if (end > start)
    add_elem(p, start, end, "Link", (uint32_t)l->letter.nlinks);
  l->letter.nlinks++;
  if (print == LP_PRINT_URLS_FOOTNOTE && !shown) {
    /* One note per address in a letter. */
    lnote *n = NULL;
    for (size_t k = 0; k < l->letter.nnotes && !n; k++)
      if (l->letter.notes[k].url &&
          !strcmp(l->letter.notes[k].url, printed_url(url)))
        n = &l->letter.notes[k];
    if (!n)
      n = add_note(l, NULL, printed_url(url), cmark_node_get_start_line(node));
    add_reference(l, p, n, chain, flags, size);
  }
}

/* ---- Footnote references ------------------------------------------------ */

void lp_lay_collect_note_ref(L *l, cmark_node *node, para *p,
                             lp_chain *chain, unsigned flags, double size) {
  const char *lit = cmark_node_get_literal(node);
  long ix = lit ? strtol(lit, NULL, 10) : 0;
  /* A reference inside a note is left out: notes do not nest. */
  if (ix < 1 || (size_t)ix > l->doc.ndefs || l->letter.in_note) return;
  cmark_node *def = l->doc.defs[ix - 1];
  lnote *n = NULL;
  for (size_t k = 0; k < l->letter.nnotes && !n; k++)
    if (l->letter.notes[k].def == def) n = &l->letter.notes[k];
  if (!n) n = add_note(l, def, NULL, cmark_node_get_start_line(node));
  add_reference(l, p, n, chain, flags, size);
}

struct pelem *lp_lay_elem_at(para *p, size_t at) {
  for (size_t k = p->nelems; k-- > 0;)
    if (at >= p->elems[k].start && at < p->elems[k].end) return &p->elems[k];
  return NULL;
}

