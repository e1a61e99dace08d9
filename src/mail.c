/* mail.c - merged letters as email: one RFC 5322 message per record, built
 * with GMime, written as .eml files and sent through libcurl's SMTP client
 * (see lp_mail_new and lp_mail_send in letterpress.h).
 *
 * Header values come from data, so each is checked before GMime sees it:
 * no control characters (a CR or LF would start a header of its own), and
 * every address must parse with GMime's RFC 5322 address parser into
 * mailboxes of the form local@domain.  An address option's own text says
 * which part is a display name and which an address (see fill_addresses):
 * a value in a name may hold any text, which GMime quotes or encodes.
 * GMime encodes what is not ASCII: RFC 2047 for the subject and display
 * names, RFC 2231 and RFC 2047 for file names (see add_attachment).
 * Bcc addresses go in the SMTP envelope only, never in a header.
 *
 * Sending happens in the calling process after the merge, one message at a
 * time, so that the rate limit and the log are simple.  The log is what
 * makes a re-run safe: a record is logged "sending" before its message
 * goes out and "sent" after the server accepted it; a record whose last
 * line is either is never sent again (an open "sending" means a run was
 * killed mid-message: the server may have it, so it is held).  A record
 * the log shows as sent or held keeps its .eml: it is what went out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmark-gfm.h>
#include <csv.h>
#include <curl/curl.h>
#include <gmime/gmime.h>

#include "data.h"
#include "fill.h"
#include "letterpress.h"
#include "markdown.h"
#include "merge.h"
#include "sign.h"
#include "util.h"

/* What the send log says of a record. */
enum { LOG_NONE, LOG_SENDING, LOG_SENT, LOG_OTHER };

struct lp_mail {
  lp_mail_options o;     /* strings borrowed from the caller */
  char *body_src;        /* the Markdown body, or NULL */
  lp_fill_program *body; /* compiled placeholders of body_src */
  char **names;          /* per record (index record - 1): its .eml name */
  bool *mine;            /* per record: in this run's shard */
  char **bcc;            /* per record: its --bcc addresses, one a line */
  bool *bcc_bad;         /* per record: its --bcc could not be filled */
  unsigned char *logged; /* per record: LOG_* of the send log (o.log) */
  size_t nrecords, cap;
  GHashTable *seen;      /* .eml names made so far, ASCII case folded */
  GHashTable *log_rows;  /* the send log: "RECORD\037FILE" -> LOG_* */
};

static bool read_log(lp_mail *m, const char *path, unsigned char *state,
                     GHashTable *rows, bool *exists, lp_error *err);

/* ---- Checking header values --------------------------------------------- */

/* Fails unless text is fit for a header: valid UTF-8 without control
 * characters (tab excepted), so data can never add a header line. */
static bool check_header_text(const char *what, const char *text,
                              lp_error *err) {
  int line, column;
  if (!lp_utf8_check(text, strlen(text), &line, &column))
    return lp_fail(err, LP_ERR_INPUT, what, 0, 0,
                   "the %s value is not valid UTF-8", what);
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
      return lp_fail(err, LP_ERR_INPUT, what, 0, 0,
                     "the %s value has a %s in it; header values from data "
                     "may not hold line breaks or control characters",
                     what,
                     *p == '\r' || *p == '\n' ? "line break"
                                              : "control character");
  return true;
}

/* Whether addr looks like local@domain: one '@', both sides non-empty, no
 * spaces or angle brackets left over from a sloppy parse. */
static bool plain_address(const char *addr) {
  const char *at = strrchr(addr, '@');
  if (!at || at == addr || !at[1]) return false;
  for (const char *p = addr; *p; p++)
    if (strchr(" <>\"(),;", *p) && p > at) return false;
  return true;
}

/* Checks each mailbox of list (groups' members too) and counts them. */
static bool check_list(InternetAddressList *list, size_t *count) {
  int n = internet_address_list_length(list);
  for (int i = 0; i < n; i++) {
    InternetAddress *a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      InternetAddressList *members =
          internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a));
      if (!check_list(members, count)) return false;
    } else {
      const char *addr =
          internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
      if (!addr || !plain_address(addr)) return false;
      ++*count;
    }
  }
  return true;
}

/* The end of the address list entry that starts at p: the next comma
 * outside quotes, angle brackets and parentheses, or the end. */
static const char *entry_end(const char *p) {
  int paren = 0;
  bool quote = false, angle = false;
  for (; *p; p++) {
    if (quote) {
      if (*p == '\\' && p[1]) p++;
      else if (*p == '"') quote = false;
    } else if (*p == '"') {
      quote = true;
    } else if (*p == '(') {
      paren++;
    } else if (*p == ')' && paren) {
      paren--;
    } else if (*p == '<' || *p == '>') {
      angle = *p == '<';
    } else if (*p == ',' && !paren && !angle) {
      break;
    }
  }
  return p;
}

/* text (malloc'd) with each display name that holds parentheses put in
 * quotes: 'Acme (HK) <a@acme.hk>' means the name "Acme (HK)", though
 * RFC 5322 §3.2.2 reads "(HK)" as a comment, which GMime drops.  Names
 * already quoted, and groups, are left as written. */
static char *quote_names(const char *text) {
  lp_buf b = {0};
  for (const char *p = text; *p;) {
    const char *q = entry_end(p), *lt = NULL;
    for (const char *r = p; r < q; r++)
      if (*r == '<') lt = r;
    const char *n = p, *e = lt;
    while (lt && n < e && (*n == ' ' || *n == '\t')) n++;
    while (lt && e > n && (e[-1] == ' ' || e[-1] == '\t')) e--;
    bool plain = lt && n < e && !memchr(n, '"', (size_t)(e - n)) &&
                 !memchr(n, ':', (size_t)(e - n)) &&
                 memchr(n, '(', (size_t)(e - n));
    if (plain) {
      lp_buf_append(&b, p, (size_t)(n - p));
      lp_buf_puts(&b, "\"");
      for (const char *r = n; r < e; r++) {
        if (*r == '\\') lp_buf_puts(&b, "\\");
        lp_buf_append(&b, r, 1);
      }
      lp_buf_puts(&b, "\" ");
      lp_buf_append(&b, lt, (size_t)(q - lt));
    } else {
      lp_buf_append(&b, p, (size_t)(q - p));
    }
    if (*q) lp_buf_append(&b, q++, 1);
    p = q;
  }
  char *r = lp_buf_strdup(&b);
  lp_buf_free(&b);
  return r;
}

/* Parses an address list from data (what: "--to", ...); NULL with err when
 * it holds no address or one that is not local@domain.  max 1: exactly one
 * mailbox (From). */
static InternetAddressList *parse_addresses(const char *what,
                                            const char *text, int max,
                                            lp_error *err) {
  if (!check_header_text(what, text, err)) return NULL;
  char *quoted = quote_names(text);
  InternetAddressList *list = internet_address_list_parse(NULL, quoted);
  free(quoted);
  size_t count = 0;
  if (!list || !check_list(list, &count) || !count ||
      (max && count > (size_t)max)) {
    if (list) g_object_unref(list);
    lp_fail(err, LP_ERR_INPUT, what, 0, 0,
            "'%s' is not %s: write Name <local@domain> or local@domain%s",
            text, max == 1 ? "one email address" : "a list of email addresses",
            max == 1 ? "" : ", separated by commas");
    return NULL;
  }
  return list;
}

/* Fills an option's template with the record; err names the option. */
static char *fill_option(const char *what, const char *pattern,
                         const lp_data *rec, size_t record, lp_error *err) {
  return lp_merge_fill_text(pattern, rec, record, what, what, err);
}

/* ---- Addresses filled from a record ------------------------------------- */

/* While an option like '{{name}} <{{email}}>' is parsed, placeholder i
 * stands as the atom TOKEN i 'Q': the option's own structure (which part
 * is a display name, which an address) comes from its text, never from a
 * value, so a value cannot add a recipient. */
#define TOKEN "lpPh7"

/* An option's placeholders, filled one by one: names[i] (the placeholder
 * as written, for messages) and values[i]. */
typedef struct filled {
  GPtrArray *names, *values;
} filled;

/* Frees what filled holds. */
static void filled_free(filled *f) {
  if (f->names) g_ptr_array_free(f->names, TRUE);
  if (f->values) g_ptr_array_free(f->values, TRUE);
}

/* Whether pattern is one placeholder and nothing else ('{{emails}}'): its
 * value may then hold a whole address list. */
static bool whole_placeholder(const char *pattern) {
  const char *c = strncmp(pattern, "{{", 2) ? NULL : strstr(pattern, "}}");
  return c && !c[2] && !strstr(pattern + 2, "{{");
}

/* Writes pattern to skel with each placeholder replaced by its token, and
 * fills each placeholder on its own into f; false with err (naming the
 * option) when a value is missing or not fit for a header. */
static bool split_pattern(const char *what, const char *pattern,
                          const lp_data *rec, size_t record, lp_buf *skel,
                          filled *f, lp_error *err) {
  const char *p = pattern, *o, *c;
  while ((o = strstr(p, "{{")) && (c = strstr(o + 2, "}}"))) {
    lp_buf_append(skel, p, (size_t)(o - p));
    char *ph = lp_xstrndup(o, (size_t)(c + 2 - o));
    char *v = fill_option(what, ph, rec, record, err);
    if (!v || !check_header_text(what, v, err)) {
      free(ph);
      free(v);
      return false;
    }
    lp_buf_printf(skel, TOKEN "%uQ", f->values->len);
    g_ptr_array_add(f->names, ph);
    g_ptr_array_add(f->values, v);
    p = c + 2;
  }
  lp_buf_puts(skel, p);
  return true;
}

/* text with each token put back as its value (malloc'd).  With forbid, a
 * value holding one of those characters is refused: *bad is its index. */
static char *put_values(const char *text, const filled *f, const char *forbid,
                        int *bad) {
  lp_buf b = {0};
  const char *p = text, *t;
  size_t tl = strlen(TOKEN);
  while ((t = strstr(p, TOKEN))) {
    char *end;
    unsigned long i = strtoul(t + tl, &end, 10);
    if (end == t + tl || *end != 'Q' || i >= f->values->len) {
      lp_buf_append(&b, p, (size_t)(t + tl - p));
      p = t + tl;
      continue;
    }
    const char *v = f->values->pdata[i];
    if (forbid && bad && *bad < 0 && v[strcspn(v, forbid)]) *bad = (int)i;
    lp_buf_append(&b, p, (size_t)(t - p));
    lp_buf_puts(&b, v);
    p = end + 1;
  }
  lp_buf_puts(&b, p);
  char *r = lp_buf_strdup(&b);
  lp_buf_free(&b);
  return r;
}

/* Whether addr, alone, parses as exactly that one plain address. */
static bool one_address(const char *addr) {
  if (!plain_address(addr)) return false;
  InternetAddressList *l = internet_address_list_parse(NULL, addr);
  bool ok = l && internet_address_list_length(l) == 1;
  if (ok) {
    InternetAddress *a = internet_address_list_get_address(l, 0);
    ok = INTERNET_ADDRESS_IS_MAILBOX(a) &&
         !strcmp(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)),
                 addr);
  }
  if (l) g_object_unref(l);
  return ok;
}

/* Copies the skeleton list parsed from an option into out with the values
 * in place.  A display name takes any value: GMime writes it as an
 * RFC 5322 §3.2.4 quoted-string when it has specials (, " ( ) ...), with
 * backslash escapes, or as RFC 2047 encoded-words when it is not ASCII.
 * An address takes only a value that keeps it one address. */
static bool fill_list(const char *what, InternetAddressList *skel,
                      const filled *f, InternetAddressList *out,
                      lp_error *err) {
  int n = internet_address_list_length(skel);
  for (int i = 0; i < n; i++) {
    InternetAddress *a = internet_address_list_get_address(skel, i);
    const char *sname = internet_address_get_name(a);
    char *name = sname ? put_values(sname, f, NULL, NULL) : NULL;
    if (name && !*g_strstrip(name)) { /* an empty value: no name at all */
      free(name);
      name = NULL;
    }
    InternetAddress *copy = NULL;
    bool ok = true;
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      copy = internet_address_group_new(name);
      ok = fill_list(what,
                     internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)),
                     f, internet_address_group_get_members(
                            INTERNET_ADDRESS_GROUP(copy)),
                     err);
    } else {
      int bad = -1;
      char *addr = put_values(
          internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)), f,
          ",;<>\":", &bad);
      if (bad >= 0)
        ok = lp_fail(err, LP_ERR_INPUT, what, 0, 0,
                     "the value of %s has one of , ; < > \" : in it, which "
                     "would change the addresses of %s; only a placeholder "
                     "that is the whole of %s may hold a list",
                     (char *)f->names->pdata[bad], what, what);
      else if (!one_address(addr))
        ok = lp_fail(err, LP_ERR_INPUT, what, 0, 0,
                     "'%s' is not one email address: write local@domain",
                     addr);
      else
        copy = internet_address_mailbox_new(name, addr);
      free(addr);
    }
    free(name);
    if (copy) {
      if (ok) internet_address_list_add(out, copy);
      g_object_unref(copy);
    }
    if (!ok) return false;
  }
  return true;
}

/* Counts the mailboxes of list, groups' members too. */
static size_t count_mailboxes(InternetAddressList *list) {
  size_t count = 0;
  int n = internet_address_list_length(list);
  for (int i = 0; i < n; i++) {
    InternetAddress *a = internet_address_list_get_address(list, i);
    count += INTERNET_ADDRESS_IS_GROUP(a)
                 ? count_mailboxes(internet_address_group_get_members(
                       INTERNET_ADDRESS_GROUP(a)))
                 : 1;
  }
  return count;
}

/* Fills an address option (what: "--to", ...) with the record: the whole
 * option one placeholder, its value parsed as a list; else the option
 * parsed with tokens, each value put in its part.  max 1: exactly one
 * mailbox (From).  NULL with err when a value is missing or bad. */
static InternetAddressList *fill_addresses(const char *what,
                                           const char *pattern,
                                           const lp_data *rec, size_t record,
                                           int max, lp_error *err) {
  if (whole_placeholder(pattern)) {
    char *text = fill_option(what, pattern, rec, record, err);
    InternetAddressList *list =
        text ? parse_addresses(what, text, max, err) : NULL;
    free(text);
    return list;
  }
  lp_buf skel = {0};
  filled f = {g_ptr_array_new_with_free_func(free),
              g_ptr_array_new_with_free_func(free)};
  InternetAddressList *list = NULL;
  if (split_pattern(what, pattern, rec, record, &skel, &f, err)) {
    lp_buf_append(&skel, "", 1);
    char *quoted = quote_names((char *)skel.data);
    InternetAddressList *parsed = internet_address_list_parse(NULL, quoted);
    free(quoted);
    /* Tokens are not addresses yet: each address is checked filled. */
    size_t count = parsed ? count_mailboxes(parsed) : 0;
    if (count && (!max || count <= (size_t)max)) {
      list = internet_address_list_new();
      if (!fill_list(what, parsed, &f, list, err)) {
        g_object_unref(list);
        list = NULL;
      }
    } else {
      /* The option's own text is not an address (list): the old message. */
      char *text = put_values((char *)skel.data, &f, NULL, NULL);
      if (check_header_text(what, text, err))
        lp_fail(err, LP_ERR_INPUT, what, 0, 0,
                "'%s' is not %s: write Name <local@domain> or "
                "local@domain%s",
                text, max == 1 ? "one email address"
                               : "a list of email addresses",
                max == 1 ? "" : ", separated by commas");
      free(text);
    }
    if (parsed) g_object_unref(parsed);
  }
  if (list && (!count_mailboxes(list) ||
               (max && count_mailboxes(list) > (size_t)max))) {
    g_object_unref(list);
    list = NULL;
    lp_fail(err, LP_ERR_INPUT, what, 0, 0, "%s needs %s", what,
            max == 1 ? "exactly one email address" : "an email address");
  }
  filled_free(&f);
  lp_buf_free(&skel);
  return list;
}

/* ---- The mail object ---------------------------------------------------- */

static guint fold_hash(gconstpointer key) {
  guint h = 5381;
  for (const char *s = key; *s; s++)
    h = h * 33 + (guint)(unsigned char)g_ascii_tolower(*s);
  return h;
}

static gboolean fold_equal(gconstpointer a, gconstpointer b) {
  return g_ascii_strcasecmp(a, b) == 0;
}

lp_mail *lp_mail_new(const lp_mail_options *o, lp_error *err) {
  if (!o->eml || !o->from || !o->to || !o->subject) {
    lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
            "mail needs --eml 'DIR/{{id}}.eml', --from, --to and --subject");
    return NULL;
  }
  g_mime_init();
  lp_mail *m = lp_xcalloc(1, sizeof *m);
  m->o = *o;
  m->seen = g_hash_table_new_full(fold_hash, fold_equal, g_free, NULL);
  m->log_rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  bool exists;
  if (o->log && !read_log(m, o->log, NULL, m->log_rows, &exists, err)) {
    lp_mail_free(m);
    return NULL;
  }
  if (o->body) {
    lp_buf b = {0};
    int line, column;
    bool ok = lp_read_file(o->body, &b, err);
    if (ok && !lp_utf8_check(b.data ? (char *)b.data : "", b.len, &line,
                             &column))
      ok = lp_fail(err, LP_ERR_INPUT, o->body, line, column,
                   "the mail body is not valid UTF-8");
    m->body_src = ok ? lp_buf_strdup(&b) : NULL;
    lp_buf_free(&b);
    if (ok)
      m->body = lp_fill_compile(m->body_src, strlen(m->body_src), o->body, 0,
                                err);
    if (!m->body) {
      lp_mail_free(m);
      return NULL;
    }
  }
  return m;
}

void lp_mail_free(lp_mail *m) {
  if (!m) return;
  for (size_t i = 0; i < m->nrecords; i++) {
    free(m->names[i]);
    free(m->bcc[i]);
  }
  free(m->names);
  free(m->mine);
  free(m->bcc);
  free(m->bcc_bad);
  free(m->logged);
  if (m->seen) g_hash_table_destroy(m->seen);
  if (m->log_rows) g_hash_table_destroy(m->log_rows);
  lp_fill_program_free(m->body);
  free(m->body_src);
  free(m);
  /* No g_mime_shutdown(): GMime cannot be set up again after it (the
   * next lp_mail_new would meet freed tables), and a program may make
   * mail more than once.  g_mime_init counts its calls. */
}

/* Appends the address of each mailbox of list (groups' members too) to b,
 * one a line, in the IDNA form the envelope takes. */
static void put_mailboxes(lp_buf *b, InternetAddressList *list) {
  int n = internet_address_list_length(list);
  for (int i = 0; i < n; i++) {
    InternetAddress *a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      put_mailboxes(b, internet_address_group_get_members(
                           INTERNET_ADDRESS_GROUP(a)));
      continue;
    }
    lp_buf_puts(b, internet_address_mailbox_get_idn_addr(
                       INTERNET_ADDRESS_MAILBOX(a)));
    lp_buf_puts(b, "\n");
  }
}

/* Keeps the record's --bcc addresses for the envelope (they are in no
 * header, so the sending cannot read them off the .eml); a bad one is
 * reported when the record's message is made, and keeps it from going. */
static void survey_bcc(lp_mail *m, size_t record, const lp_data *rec) {
  lp_error ignored = {0};
  InternetAddressList *list =
      fill_addresses("--bcc", m->o.bcc, rec, record, 0, &ignored);
  if (!list) {
    m->bcc_bad[record - 1] = true;
    return;
  }
  lp_buf b = {0};
  put_mailboxes(&b, list);
  m->bcc[record - 1] = lp_buf_strdup(&b);
  lp_buf_free(&b);
  g_object_unref(list);
}

bool lp_mail_survey(void *ctx, size_t record, const lp_data *rec,
                    bool in_shard, lp_error *err) {
  (void)err;
  lp_mail *m = ctx;
  if (record > m->nrecords) {
    size_t cap = m->cap;
    LP_GROW(m->names, m->cap, record);
    size_t c = cap;
    LP_GROW(m->mine, c, record);
    c = cap;
    LP_GROW(m->bcc, c, record);
    c = cap;
    LP_GROW(m->bcc_bad, c, record);
    c = cap;
    LP_GROW(m->logged, c, record);
    for (size_t i = m->nrecords; i < record; i++) {
      m->names[i] = m->bcc[i] = NULL;
      m->mine[i] = m->bcc_bad[i] = false;
      m->logged[i] = LOG_NONE;
    }
    m->nrecords = record;
  }
  m->mine[record - 1] = in_shard;
  if (m->o.bcc && in_shard) survey_bcc(m, record, rec);
  lp_error ignored = {0}; /* reported per record when the letter is made */
  char *name = lp_merge_fill_name(m->o.eml, rec, record, "--eml",
                                  "the .eml name", &ignored);
  if (!name) return true;
  char *try = g_strdup(name);
  for (unsigned k = 2; g_hash_table_contains(m->seen, try); k++) {
    g_free(try);
    char *s = lp_merge_with_suffix(name, k);
    try = g_strdup(s);
    free(s);
  }
  m->names[record - 1] = lp_xstrdup(try);
  g_hash_table_add(m->seen, try);
  char *key = g_strdup_printf("%zu\037%s", record, try);
  m->logged[record - 1] =
      (unsigned char)GPOINTER_TO_INT(g_hash_table_lookup(m->log_rows, key));
  g_free(key);
  free(name);
  return true;
}

/* ---- Building a message ------------------------------------------------- */

/* A text part holding text (UTF-8), encoded for 7-bit transport. */
static GMimeObject *text_part(const char *subtype, const char *text) {
  GMimeTextPart *t = g_mime_text_part_new_with_subtype(subtype);
  g_mime_text_part_set_text(t, text);
  GMimePart *part = GMIME_PART(t);
  g_mime_part_set_content_encoding(
      part, g_mime_part_get_best_content_encoding(
                part, GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT(t);
}

/* The body filled with rec, as plain text and HTML (both malloc'd). */
static bool render_body(lp_mail *m, const lp_data *rec, char **plain,
                        char **html, lp_error *err) {
  lp_fill *f = lp_fill_expand(m->body, rec, false, err);
  if (!f) return false;
  size_t len;
  const char *src = lp_fill_source(f, &len);
  cmark_node *root = lp_markdown_parse(src, len, LP_MARKDOWN_MAIL);
  bool ok = lp_fill_tree(root, f, err);
  if (ok) {
    char *h = lp_markdown_html(root, LP_MARKDOWN_MAIL);
    lp_buf b = {0};
    lp_buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                    "</head><body>\n");
    lp_buf_puts(&b, h);
    lp_buf_puts(&b, "</body></html>\n");
    *html = lp_buf_strdup(&b);
    lp_buf_free(&b);
    free(h);
    *plain = cmark_render_plaintext(root, CMARK_OPT_DEFAULT, 0);
  } else if (err && !err->file[0]) {
    snprintf(err->file, sizeof err->file, "%s", m->o.body);
  }
  cmark_node_free(root);
  lp_fill_free(f);
  return ok;
}


/* Sets the header fields: From, Reply-To, To, Cc, Subject, Date,
 * Message-ID.  Never Bcc: its addresses go in the envelope only
 * (RFC 5322 §3.6.3 lets a message leave the field out), so that no
 * recipient sees them, and the .eml is byte for byte what every
 * recipient got. */
static bool set_headers(lp_mail *m, GMimeMessage *msg, size_t record,
                        const lp_data *rec, const lp_buf *pdf,
                        lp_error *err) {
  static const GMimeAddressType types[] = {
      GMIME_ADDRESS_TYPE_FROM, GMIME_ADDRESS_TYPE_REPLY_TO,
      GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC};
  const char *patterns[] = {m->o.from, m->o.reply_to, m->o.to, m->o.cc};
  const char *names[] = {"--from", "--reply-to", "--to", "--cc"};
  uint64_t h = lp_hash(LP_HASH_SEED, pdf->data, pdf->len);
  char *domain = NULL;
  for (int i = 0; i < 4; i++) {
    if (!patterns[i]) continue;
    InternetAddressList *list = fill_addresses(names[i], patterns[i], rec,
                                               record, i == 0 ? 1 : 0, err);
    if (!list) {
      g_free(domain);
      return false;
    }
    char *text = internet_address_list_to_string(list, NULL, FALSE);
    h = lp_hash(h, text, strlen(text) + 1);
    g_free(text);
    internet_address_list_append(g_mime_message_get_addresses(msg, types[i]),
                                 list);
    InternetAddress *a = internet_address_list_get_address(list, 0);
    if (i == 0 && !INTERNET_ADDRESS_IS_MAILBOX(a)) {
      g_object_unref(list);
      return lp_fail(err, LP_ERR_INPUT, "--from", 0, 0,
                     "--from needs one address, not a group");
    }
    if (i == 0) {
      const char *addr =
          internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
      domain = g_strdup(strrchr(addr, '@') + 1);
    }
    g_object_unref(list);
  }
  if (m->o.bcc) { /* checked here too, to fail the record */
    InternetAddressList *bcc =
        fill_addresses("--bcc", m->o.bcc, rec, record, 0, err);
    if (!bcc) {
      g_free(domain);
      return false;
    }
    g_object_unref(bcc);
  }
  char *subject = fill_option("--subject", m->o.subject, rec, record, err);
  bool ok = subject && check_header_text("--subject", subject, err);
  if (ok) {
    g_mime_message_set_subject(msg, subject, "utf-8");
    h = lp_hash(h, subject, strlen(subject));
    long long when = lp_source_date();
    GDateTime *date = g_date_time_new_from_unix_utc(when);
    g_mime_message_set_date(msg, date);
    g_date_time_unref(date);
    char id[512];
    snprintf(id, sizeof id, "letterpress.%lld.%zu.%016llx@%s", when, record,
             (unsigned long long)h, domain);
    g_mime_message_set_message_id(msg, id);
  }
  free(subject);
  g_free(domain);
  return ok;
}

/* The MIME type of an attachment, by its extension; else
 * application/octet-stream, which every client offers to save. */
static const char *type_of(const char *name) {
  static const char *const types[][2] = {
      {".pdf", "application/pdf"},   {".txt", "text/plain"},
      {".csv", "text/csv"},          {".html", "text/html"},
      {".htm", "text/html"},         {".xml", "application/xml"},
      {".json", "application/json"}, {".png", "image/png"},
      {".jpg", "image/jpeg"},        {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},         {".zip", "application/zip"},
      {".ics", "text/calendar"},     {".p7s", "application/pkcs7-signature"},
      {".docx", "application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document"},
      {".xlsx", "application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet"},
      {".odt", "application/vnd.oasis.opendocument.text"},
  };
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (!strcasecmp(dot, types[i][0])) return types[i][1];
  return "application/octet-stream";
}

/* Adds the file at path (its bytes in data) to mixed, base64, under its
 * base name: RFC 2231 filename*= in Content-Disposition as the standard
 * says, and an RFC 2047 name= in Content-Type next to it, which older
 * clients (Outlook, many webmails) read instead (both only differ from
 * the plain name when it is not ASCII). */
static void add_attachment(GMimeMultipart *mixed, const char *path,
                           const lp_buf *data) {
  const char *slash = strrchr(path, '/');
  const char *name = slash ? slash + 1 : path;
  char *type = g_strdup(type_of(name));
  char *sub = strchr(type, '/');
  *sub++ = '\0';
  GMimePart *att = g_mime_part_new_with_type(type, sub);
  g_free(type);
  g_mime_part_set_filename(att, name); /* sets both parameters */
  GMimeParamList *params = g_mime_content_type_get_parameters(
      g_mime_object_get_content_type(GMIME_OBJECT(att)));
  GMimeParam *p = g_mime_param_list_get_parameter(params, "name");
  if (p) g_mime_param_set_encoding_method(p, GMIME_PARAM_ENCODING_METHOD_RFC2047);
  GMimeStream *in = g_mime_stream_mem_new_with_buffer(
      data->data ? (const char *)data->data : "", data->len);
  GMimeDataWrapper *w =
      g_mime_data_wrapper_new_with_stream(in, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content(att, w);
  g_mime_part_set_content_encoding(att, GMIME_CONTENT_ENCODING_BASE64);
  g_object_unref(w);
  g_object_unref(in);
  g_mime_multipart_add(mixed, GMIME_OBJECT(att));
  g_object_unref(att);
}

/* Attaches the file that pattern (an --attach option) names for the
 * record; false with err naming the file when it cannot be read. */
static bool attach_file(GMimeMultipart *mixed, const char *pattern,
                        const lp_data *rec, size_t record, lp_error *err) {
  char *path = lp_merge_fill_name(pattern, rec, record, "--attach", "--attach",
                                  err);
  if (!path) return false;
  lp_buf b = {0};
  bool ok = true;
  if (access(path, R_OK) != 0)
    ok = lp_fail(err, LP_ERR_INPUT, "--attach", 0, 0,
                 "cannot attach '%s': %s; make the file or correct --attach "
                 "'%s'",
                 path, strerror(errno), pattern);
  else if (!lp_read_file(path, &b, err))
    ok = false;
  if (ok) add_attachment(mixed, path, &b);
  lp_buf_free(&b);
  free(path);
  return ok;
}

bool lp_mail_build(lp_mail *m, size_t record, const lp_data *rec,
                   const char *pdf_path, char **eml, size_t *len,
                   lp_error *err) {
  lp_buf pdf = {0};
  if (!lp_read_file(pdf_path, &pdf, err)) return false;
  GMimeMessage *msg = g_mime_message_new(TRUE);
  bool ok = set_headers(m, msg, record, rec, &pdf, err);
  char *plain = NULL, *html = NULL;
  if (ok && m->body) ok = render_body(m, rec, &plain, &html, err);
  if (ok) {
    /* Boundaries from the message's own hash, so that the same input
     * gives the same bytes; "=-" cannot occur in base64 or QP text. */
    const char *id = g_mime_message_get_message_id(msg);
    char boundary[80];
    uint64_t h = lp_hash(LP_HASH_SEED, id, strlen(id));
    GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
    snprintf(boundary, sizeof boundary, "=-lp-%016llx-mixed",
             (unsigned long long)h);
    g_mime_multipart_set_boundary(mixed, boundary);
    if (m->body) {
      GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
      snprintf(boundary, sizeof boundary, "=-lp-%016llx-alt",
               (unsigned long long)h);
      g_mime_multipart_set_boundary(alt, boundary);
      GMimeObject *p = text_part("plain", plain);
      g_mime_multipart_add(alt, p);
      g_object_unref(p);
      p = text_part("html", html);
      g_mime_multipart_add(alt, p);
      g_object_unref(p);
      g_mime_multipart_add(mixed, GMIME_OBJECT(alt));
      g_object_unref(alt);
    }
    add_attachment(mixed, pdf_path, &pdf);
    for (size_t i = 0; ok && i < m->o.nattach; i++)
      ok = attach_file(mixed, m->o.attach[i], rec, record, err);
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(mixed));
    g_object_unref(mixed);

    /* CRLF line ends: the file is exactly what goes on the wire. */
    GMimeFormatOptions *fo = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    GMimeStream *out = g_mime_stream_mem_new();
    g_mime_object_write_to_stream(GMIME_OBJECT(msg), fo, out);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
    *len = bytes->len;
    *eml = lp_xmalloc(bytes->len + 1);
    memcpy(*eml, bytes->data, bytes->len);
    (*eml)[bytes->len] = '\0';
    g_object_unref(out);
    g_mime_format_options_free(fo);
  }
  free(plain);
  free(html);
  g_object_unref(msg);
  lp_buf_free(&pdf);
  return ok;
}

bool lp_mail_letter(void *ctx, size_t record, const lp_data *rec,
                    const char *path, lp_error *err) {
  lp_mail *m = ctx;
  const char *name = record <= m->nrecords ? m->names[record - 1] : NULL;
  if (!name) {
    lp_error e = {0};
    char *n = lp_merge_fill_name(m->o.eml, rec, record, "--eml",
                                 "the .eml name", &e);
    free(n);
    return lp_fail(err, LP_ERR_INPUT, "--eml", 0, 0, "%s",
                   n ? "the .eml name was not made in the first pass"
                     : e.message);
  }
  /* Sent (or maybe sent: "sending", "held"): its .eml is the archive of
   * what went out, so it is left as it is — a new one would have another
   * Date and Message-ID — and not made anew if it was deleted. */
  if (m->logged[record - 1] == LOG_SENT ||
      m->logged[record - 1] == LOG_SENDING)
    return true;
  char *eml = NULL;
  size_t len = 0;
  bool ok = lp_mail_build(m, record, rec, path, &eml, &len, err) &&
            lp_write_file_atomic(name, (unsigned char *)eml, len, err);
  free(eml);
  return ok;
}

/* ---- The result log ----------------------------------------------------- */

/* What the log says of each record: LOG_* per record, for the lines whose
 * file matches the record's .eml name. */
typedef struct log_reader {
  lp_mail *m;
  unsigned char *state; /* per record, or NULL */
  GHashTable *rows;     /* or: "RECORD\037FILE" -> LOG_*, names unknown yet */
  char *cells[5];
  int ncell, row;
} log_reader;

static void log_cell(void *s, size_t n, void *ctx) {
  log_reader *r = ctx;
  if (r->ncell < 5) r->cells[r->ncell] = lp_xstrndup(s ? s : "", n);
  r->ncell++;
}

static void log_row(int c, void *ctx) {
  (void)c;
  log_reader *r = ctx;
  if (r->row++ && r->ncell >= 4) {
    char *end;
    unsigned long long k = strtoull(r->cells[0], &end, 10);
    const char *st = r->cells[3];
    unsigned char state = !strcmp(st, "sending") ? LOG_SENDING
                          : !strcmp(st, "sent")  ? LOG_SENT
                          : !strcmp(st, "held")  ? LOG_SENDING
                                                 : LOG_OTHER;
    if (!*end && k >= 1 && r->rows)
      g_hash_table_insert(r->rows,
                          g_strdup_printf("%llu\037%s", k, r->cells[1]),
                          GINT_TO_POINTER(state));
    else if (!*end && k >= 1 && k <= r->m->nrecords && r->m->names[k - 1] &&
             !strcmp(r->m->names[k - 1], r->cells[1]))
      r->state[k - 1] = state;
  }
  for (int i = 0; i < 5 && i < r->ncell; i++) free(r->cells[i]);
  r->ncell = 0;
}

/* Reads the send log at path into state (per record) or rows (see
 * log_reader); *exists: the log is there.  False with err if unreadable. */
static bool read_log(lp_mail *m, const char *path, unsigned char *state,
                     GHashTable *rows, bool *exists, lp_error *err) {
  *exists = access(path, F_OK) == 0;
  if (!*exists) return true;
  lp_buf b = {0};
  if (!lp_read_file(path, &b, err)) return false;
  struct csv_parser p;
  csv_init(&p, CSV_APPEND_NULL);
  log_reader r = {m, state, rows, {0}, 0, 0};
  csv_parse(&p, b.data, b.len, log_cell, log_row, &r);
  csv_fini(&p, log_cell, log_row, &r);
  csv_free(&p);
  lp_buf_free(&b);
  return true;
}

static void put_csv(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s == '\r' || *s == '\n' ? ' ' : *s, f);
  }
  fputc('"', f);
}

/* Appends one line to the log and makes it durable before going on. */
static void log_line(FILE *f, const lp_send_result *r) {
  if (!f) return;
  fprintf(f, "%zu,", r->record);
  put_csv(f, r->file);
  fputc(',', f);
  put_csv(f, r->to);
  fprintf(f, ",%s,", r->status);
  put_csv(f, r->reply);
  fputc('\n', f);
  fflush(f);
  fsync(fileno(f));
}

/* ---- Sending ------------------------------------------------------------ */

/* The envelope of a message file: the From address and every To/Cc one. */
typedef struct envelope {
  char *from;
  struct curl_slist *rcpt;
  lp_buf to; /* the recipients, comma-separated, for the log */
} envelope;

static void add_rcpts(envelope *e, InternetAddressList *list) {
  int n = list ? internet_address_list_length(list) : 0;
  for (int i = 0; i < n; i++) {
    InternetAddress *a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      add_rcpts(e, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)));
      continue;
    }
    const char *addr =
        internet_address_mailbox_get_idn_addr(INTERNET_ADDRESS_MAILBOX(a));
    char *bracketed = g_strdup_printf("<%s>", addr);
    e->rcpt = curl_slist_append(e->rcpt, bracketed);
    g_free(bracketed);
    if (e->to.len) lp_buf_puts(&e->to, ",");
    lp_buf_puts(&e->to, addr);
  }
}

static bool read_envelope(const char *eml, size_t len, envelope *e) {
  GMimeStream *s = g_mime_stream_mem_new_with_buffer(eml, len);
  GMimeParser *p = g_mime_parser_new_with_stream(s);
  GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
  bool ok = false;
  if (msg) {
    InternetAddressList *from = g_mime_message_get_from(msg);
    if (from && internet_address_list_length(from) == 1) {
      InternetAddress *a = internet_address_list_get_address(from, 0);
      if (INTERNET_ADDRESS_IS_MAILBOX(a))
        e->from = g_strdup_printf("<%s>", internet_address_mailbox_get_idn_addr(
                                              INTERNET_ADDRESS_MAILBOX(a)));
    }
    add_rcpts(e, g_mime_message_get_to(msg));
    add_rcpts(e, g_mime_message_get_cc(msg));
    ok = e->from && e->rcpt;
    g_object_unref(msg);
  }
  g_object_unref(p);
  g_object_unref(s);
  return ok;
}

/* Adds the record's --bcc addresses (one a line) to the envelope. */
static void add_bcc(envelope *e, const char *bcc) {
  for (const char *p = bcc; p && *p;) {
    size_t n = strcspn(p, "\n");
    char *bracketed = g_strdup_printf("<%.*s>", (int)n, p);
    e->rcpt = curl_slist_append(e->rcpt, bracketed);
    g_free(bracketed);
    if (e->to.len) lp_buf_puts(&e->to, ",");
    lp_buf_append(&e->to, p, n);
    p += n + (p[n] == '\n');
  }
}

/* The envelope of record k: its .eml's From, To and Cc, and its --bcc. */
static bool message_envelope(const lp_mail *m, size_t k, const lp_buf *eml,
                             envelope *e) {
  if (!read_envelope((const char *)eml->data, eml->len, e)) return false;
  add_bcc(e, m->bcc[k - 1]);
  return true;
}

static void envelope_free(envelope *e) {
  g_free(e->from);
  curl_slist_free_all(e->rcpt);
  lp_buf_free(&e->to);
}

/* What curl uploads: the message bytes. */
typedef struct upload {
  const char *data;
  size_t len, at;
  char reply[512]; /* the server's last reply line */
  char refusal[512]; /* its first 4xx or 5xx reply line, if any */
  bool no_reply;     /* the last attempt got no reply: server unreachable */
} upload;

static size_t read_upload(char *buf, size_t size, size_t n, void *ctx) {
  upload *u = ctx;
  size_t take = size * n;
  if (take > u->len - u->at) take = u->len - u->at;
  memcpy(buf, u->data + u->at, take);
  u->at += take;
  return take;
}

/* Keeps the last line the server sent (curl reports replies as headers). */
static int debug_reply(CURL *c, curl_infotype type, char *data, size_t n,
                       void *ctx) {
  (void)c;
  upload *u = ctx;
  if (type != CURLINFO_HEADER_IN) return 0;
  while (n && (data[n - 1] == '\n' || data[n - 1] == '\r')) n--;
  if (n >= sizeof u->reply) n = sizeof u->reply - 1;
  /* After a refusal curl says QUIT: keep the refusal, not the goodbye. */
  if (n && (data[0] == '4' || data[0] == '5') && !u->refusal[0]) {
    memcpy(u->refusal, data, n);
    u->refusal[n] = '\0';
  }
  memcpy(u->reply, data, n);
  u->reply[n] = '\0';
  return 0;
}

/* One attempt: 0 accepted, else the SMTP reply code (or 1 for a failure
 * without one: connection, TLS); reply gets the server's words. */
static long send_once(CURL *c, const envelope *e, const char *eml, size_t len,
                      upload *u) {
  memset(u, 0, sizeof *u);
  u->data = eml;
  u->len = len;
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, e->from);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, e->rcpt);
  curl_easy_setopt(c, CURLOPT_READDATA, u);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, u);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_OK) return 0;
  if (u->refusal[0]) memcpy(u->reply, u->refusal, sizeof u->reply);
  else if (code < 400 || !u->reply[0])
    snprintf(u->reply, sizeof u->reply, "%s", curl_easy_strerror(rc));
  return code >= 400 ? code : 1;
}

static void pause_for(double seconds, volatile int *stop) {
  while (seconds > 0 && !(stop && *stop)) {
    double step = seconds > 0.1 ? 0.1 : seconds;
    struct timespec t = {0, (long)(step * 1e9)};
    nanosleep(&t, NULL);
    seconds -= step;
  }
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Sends one record's message with retries; fills res. */
static void send_record(CURL *c, const lp_send_options *o, const envelope *e,
                        const char *eml, size_t len, lp_send_result *res,
                        upload *u) {
  double wait = o->backoff > 0 ? o->backoff : 1.0;
  for (res->attempts = 1;; res->attempts++) {
    long code = send_once(c, e, eml, len, u);
    res->reply = u->reply;
    u->no_reply = code == 1;
    if (!code) {
      res->status = "sent";
      return;
    }
    bool temporary = code < 500; /* 4xx, or no reply at all */
    if (!temporary || res->attempts > o->retries || (o->stop && *o->stop)) {
      res->status = "failed";
      return;
    }
    pause_for(wait, o->stop);
    wait *= 2;
  }
}

bool lp_mail_send(lp_mail *m, const lp_send_options *o,
                  lp_send_summary *sum, lp_error *err) {
  memset(sum, 0, sizeof *sum);
  if (!o->dry_run && (!o->url || (strncmp(o->url, "smtp://", 7) &&
                                  strncmp(o->url, "smtps://", 8))))
    return lp_fail(err, LP_ERR_INPUT, "--smtp", 0, 0,
                   "'%s' is not an SMTP server: write smtp://HOST:PORT "
                   "(STARTTLS when offered) or smtps://HOST:PORT",
                   o->url ? o->url : "");
  if (!o->dry_run && !o->log)
    return lp_fail(err, LP_ERR_INPUT, "--log", 0, 0,
                   "sending needs --log results.csv: the log is what keeps "
                   "a re-run from sending a message twice");
  unsigned char *state = lp_xcalloc(m->nrecords + 1, 1);
  bool log_exists = false;
  if (o->log && !read_log(m, o->log, state, NULL, &log_exists, err)) {
    free(state);
    return false;
  }
  char *pass = NULL;
  if (!o->dry_run && o->pass && !lp_read_secret(o->pass, "--smtp-pass", &pass, err)) {
    free(state);
    return false;
  }
  FILE *log = NULL;
  if (!o->dry_run) {
    log = fopen(o->log, "a");
    if (!log) {
      lp_fail(err, LP_ERR_IO, o->log, 0, 0, "cannot open the log: %s",
              strerror(errno));
      free(state);
      free(pass);
      return false;
    }
    if (!log_exists) fputs("record,file,to,status,reply\n", log);
  }
  CURL *c = NULL;
  if (!o->dry_run) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    if (o->user) curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
    if (pass) curl_easy_setopt(c, CURLOPT_PASSWORD, pass);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_reply);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
  }
  double last = 0;
  upload u;
  memset(&u, 0, sizeof u);
  for (size_t k = 1; k <= m->nrecords && !(o->stop && *o->stop) &&
                    !sum->unreachable;
       k++) {
    if (!m->mine[k - 1]) continue;
    const char *file = m->names[k - 1] ? m->names[k - 1] : "";
    lp_send_result res = {k, file, "", "", "", 0};
    envelope e = {0};
    lp_buf eml = {0};
    lp_error rerr = {0};
    bool have = m->names[k - 1] && access(file, F_OK) == 0 &&
                lp_read_file(file, &eml, &rerr);
    if (state[k - 1] == LOG_SENT) {
      res.status = "already sent";
      res.reply = "the log lists it as sent";
      sum->skipped++;
    } else if (state[k - 1] == LOG_SENDING) {
      res.status = "held";
      res.reply = "an earlier run stopped while sending it: check the "
                  "mailbox, then delete its lines from the log to send it";
      sum->held++;
      if (!o->dry_run) log_line(log, &res);
    } else if (!have) {
      res.status = "missing";
      res.reply = "no .eml: the letter or its message was not made";
      sum->missing++;
    } else if (m->bcc_bad[k - 1]) {
      res.status = "failed";
      res.reply = "its --bcc is not a list of addresses (see the merge's "
                  "error)";
      sum->failed++;
      if (!o->dry_run) log_line(log, &res);
    } else if (!message_envelope(m, k, &eml, &e)) {
      res.status = "failed";
      res.reply = "the .eml has no From or no recipient";
      sum->failed++;
      if (!o->dry_run) log_line(log, &res);
    } else if (o->dry_run) {
      lp_buf_append(&e.to, "", 1);
      res.to = (char *)e.to.data;
      res.status = "dry-run";
      res.reply = "not sent (--dry-run)";
      sum->dry_run++;
    } else {
      lp_buf_append(&e.to, "", 1);
      res.to = (char *)e.to.data;
      if (o->rate > 0 && last > 0)
        pause_for(last + 1.0 / o->rate - now_seconds(), o->stop);
      last = now_seconds();
      res.status = "sending";
      log_line(log, &res);
      send_record(c, o, &e, (char *)eml.data, eml.len, &res, &u);
      log_line(log, &res);
      if (!strcmp(res.status, "sent")) sum->sent++;
      else sum->failed++;
      /* Retried and still no server: the rest would fail the same way. */
      sum->unreachable = u.no_reply;
    }
    if (o->result) o->result(o->ctx, &res);
    envelope_free(&e);
    lp_buf_free(&eml);
  }
  if (c) {
    curl_easy_cleanup(c);
    curl_global_cleanup();
  }
  if (log) fclose(log);
  if (pass) {
    memset(pass, 0, strlen(pass));
    free(pass);
  }
  free(state);
  return true;
}
