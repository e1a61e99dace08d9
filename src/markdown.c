/* markdown.c - parsing Markdown with cmark-gfm and its extensions. */
#include "markdown.h"

#include <pthread.h>
#include <stdbool.h>

#include <cmark-gfm-core-extensions.h>

/* The syntax extensions of each flavor, in the order they are attached. */
static const char *const letter_extensions[] = {
    "table", "tasklist", "strikethrough", "autolink", NULL};
static const char *const mail_extensions[] = {"table", "strikethrough",
                                              "autolink", "tasklist", NULL};

/* cmark-gfm keeps its syntax extensions in a process-wide list that
 * cmark_gfm_core_extensions_ensure_registered fills without a lock; parses
 * started at the same time in several threads must register it once only. */
static pthread_once_t extensions_once = PTHREAD_ONCE_INIT;

/* Registers cmark-gfm's core extensions (once, see extensions_once). */
static void register_extensions(void) {
  cmark_gfm_core_extensions_ensure_registered();
}

/* The extension names of a flavor, NULL-terminated. */
static const char *const *extensions_of(lp_markdown_flavor flavor) {
  return flavor == LP_MARKDOWN_MAIL ? mail_extensions : letter_extensions;
}

/* The cmark options a flavor is parsed and rendered with. */
static int options_of(lp_markdown_flavor flavor) {
  return flavor == LP_MARKDOWN_MAIL
             ? CMARK_OPT_DEFAULT
             : CMARK_OPT_SOURCEPOS | CMARK_OPT_NORMALIZE | CMARK_OPT_FOOTNOTES;
}

cmark_node *lp_markdown_parse(const char *text, size_t len,
                              lp_markdown_flavor flavor) {
  pthread_once(&extensions_once, register_extensions);
  cmark_parser *parser = cmark_parser_new(options_of(flavor));
  for (const char *const *name = extensions_of(flavor); *name; name++) {
    cmark_syntax_extension *ext = cmark_find_syntax_extension(*name);
    if (ext) cmark_parser_attach_syntax_extension(parser, ext);
  }
  cmark_parser_feed(parser, text, len);
  cmark_node *doc = cmark_parser_finish(parser);
  cmark_parser_free(parser);
  return doc;
}

char *lp_markdown_html(cmark_node *root, lp_markdown_flavor flavor) {
  pthread_once(&extensions_once, register_extensions);
  cmark_mem *mem = cmark_get_default_mem_allocator();
  cmark_llist *list = NULL;
  for (const char *const *name = extensions_of(flavor); *name; name++) {
    cmark_syntax_extension *ext = cmark_find_syntax_extension(*name);
    if (ext) list = cmark_llist_append(mem, list, ext);
  }
  /* Without CMARK_OPT_UNSAFE raw HTML is left out. */
  char *html = cmark_render_html(root, CMARK_OPT_DEFAULT, list);
  cmark_llist_free(mem, list);
  return html;
}
