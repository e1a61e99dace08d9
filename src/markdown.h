/* markdown.h - the one place where Markdown is parsed (cmark-gfm), for a
 * letter's body (render.c) and a mail's body (mail.c).
 *
 * The two read slightly different Markdown, on purpose: a letter's tree
 * carries source positions for its warnings, and GFM footnotes ([^1] and
 * [^1]: ..., set at the pages' feet by lay_notes.c; cmark numbers the
 * references 1, 2, ... in the order they are first made, gives each the
 * number as its literal, moves the referenced definitions to the end of
 * the document in that order and drops the others).  Everything else
 * (tables, task lists, strikethrough, autolinks: a bare URL or e-mail
 * address is a link) is the same.  Autolinks see the source with value
 * tokens (fill.h): a URL typed in data is never made a link.
 */
#ifndef LP_MARKDOWN_H
#define LP_MARKDOWN_H

#include <stddef.h>

#include <cmark-gfm.h>

/* Which Markdown a text is read as. */
typedef enum {
  LP_MARKDOWN_LETTER, /* tables, task lists, strikethrough, autolinks,
                         footnotes */
  LP_MARKDOWN_MAIL    /* those but footnotes */
} lp_markdown_flavor;

/* Parses len bytes of text as Markdown of the flavor; the tree (caller
 * frees it with cmark_node_free), or NULL when cmark fails.  Thread-safe:
 * cmark-gfm's extensions are registered once per process. */
cmark_node *lp_markdown_parse(const char *text, size_t len,
                              lp_markdown_flavor flavor);

/* Renders a tree parsed as flavor as HTML (raw HTML left out: data is text
 * only); a malloc'd string. */
char *lp_markdown_html(cmark_node *root, lp_markdown_flavor flavor);

#endif
