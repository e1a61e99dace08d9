/* cli.c - the letterpress command: parses arguments, calls the library,
 * prints errors as FILE:LINE:COL: error: MESSAGE, picks the exit code. */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "letterpress.h"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char usage[] =
    "usage: letterpress render TEMPLATE [-d DATA] [-o OUT.pdf] [--set KEY=VALUE]...\n"
    "                          [--meta KEY=VALUE]... [--blanks] [--format FMT]\n"
    "                          [--encoding NAME] [--delimiter ,|;|tab]\n"
    "                          [--password env:VAR|file:PATH [--owner-password env:VAR|file:PATH]\n"
    "                           [--permissions print,fill,...]]\n"
    "       letterpress sign IN.pdf -o OUT.pdf --key KEY [--cert CERT] [--chain PEM]\n"
    "                        [--pass env:VAR|file:PATH] [--field NAME] [--reason TEXT]\n"
    "                        [--location TEXT] [--name TEXT] [--contact TEXT] [--image SEAL.png]\n"
    "                        [--tsa URL [--tsa-user NAME] [--tsa-pass env:VAR|file:PATH]]\n"
    "                        [--ltv [--ocsp FILE] [--crl FILE]] [--password env:VAR|file:PATH]\n"
    "       letterpress timestamp IN.pdf -o OUT.pdf --tsa URL [--tsa-user NAME]\n"
    "                        [--tsa-pass env:VAR|file:PATH] [--ltv [--ocsp FILE] [--crl FILE]]\n"
    "                        [--password env:VAR|file:PATH]\n"
    "       letterpress merge TEMPLATE -d DATA -o 'DIR/{{id}}.pdf' [--combined OUT.pdf]\n"
    "                         [-j N] [--keep-going] [--skip-existing] [--shard K/N|auto[/N]]\n"
    "                         [--format json|jsonl|csv|tsv] [--encoding NAME]\n"
    "                         [--delimiter ,|;|tab] [--check] [--manifest FILE]\n"
    "                         [--set KEY=VALUE]... [--blanks] [--dry-run]\n"
    "                         [--password '{{field}}'|env:VAR|file:PATH\n"
    "                          [--owner-password env:VAR|file:PATH] [--permissions LIST]]\n"
    "                         [--eml 'DIR/{{id}}.eml' --from ADDR --to ADDRS --subject TEXT\n"
    "                          [--cc ADDRS] [--bcc ADDRS] [--reply-to ADDRS]\n"
    "                          [--attach FILE]... [--body BODY.md]]\n"
    "                         [--smtp URL --log FILE [--smtp-user NAME]\n"
    "                          [--smtp-pass env:VAR|file:PATH] [--rate N/s] [--retries N]\n"
    "                          [--dry-run]]\n"
    "                         [--sign-key KEY ... [--tsa URL [--tsa-retries N] [--tsa-rate N/s]]\n"
    "                          [--ltv ...]]\n"
    "       letterpress manifest-check MANIFEST...\n"
    "       letterpress fields TEMPLATE\n"
    "       letterpress fonts [--lang TAG]\n"
    "       letterpress COMMAND --help | --help | --version\n"
    "\n"
    "render   renders a Markdown letter template to a PDF.  Without -o the PDF\n"
    "         goes next to the template (.md replaced by .pdf); -o - writes it\n"
    "         to standard output.  DATA is a JSON object (a file, or - for\n"
    "         standard input) that fills the {{placeholders}}; --set overrides\n"
    "         one value, --meta one front-matter key (e.g. --meta paper=Letter);\n"
    "         --blanks renders missing placeholders as fill-in blanks;\n"
    "         --attach-data attaches the record as data.json (merge too).\n"
    "         DATA is read as UTF-8 (a UTF-8 or UTF-16 byte order mark is\n"
    "         seen); --encoding GB18030, Shift_JIS, Big5, EUC-KR, ... reads\n"
    "         another encoding; --format and --delimiter as for merge.\n"
    "         --force allows -o to name an input file.  Limits (0: none):\n"
    "         --max-pages N (10000), --max-depth N (64), --max-image-pixels N\n"
    "         (100000000), --max-input-size BYTES (67108864); merge takes them too.\n"
    "         --sign-key, --sign-cert, --sign-pass, ... (the options of sign with\n"
    "         'sign-' in front), --tsa... and --ltv... sign the rendered PDF.\n"
    "         --password protects it (AES-256): the password opens it;\n"
    "         --owner-password (default: a random one) lifts --permissions, a\n"
    "         list of print, print-low, fill, annotate, copy, assemble, modify,\n"
    "         all, none (default: print,fill; fill includes signing).  Both\n"
    "         from an environment variable or a file.  Not with PDF/A.\n"
    "sign     signs a signature field (the first unsigned one, or --field NAME)\n"
    "         with a CMS signature as an incremental update.  KEY is a PEM key\n"
    "         or a PKCS#12 file; the passphrase comes from an environment\n"
    "         variable or a file, never from the command line.  --tsa URL\n"
    "         adds an RFC 3161 time-stamp from that authority (PAdES B-T);\n"
    "         --ltv then adds the certificates and their OCSP responses or\n"
    "         CRLs (fetched, or --ocsp FILE, --crl FILE) in a /DSS (B-LT).\n"
    "         --password opens a password-protected (AES-256) PDF; the\n"
    "         signature's update is encrypted with its key.\n"
    "timestamp adds a document time-stamp from the --tsa authority over the\n"
    "         whole PDF (PAdES B-LTA); --ltv first adds the validation data of\n"
    "         the latest signature or time-stamp.  Run it again to re-preserve.\n"
    "merge    renders one letter per record of DATA (.json object or array,\n"
    "         .jsonl, .csv with a header row, - for JSON on standard input).  -o\n"
    "         names each file: a template filled per record ({{@record}} is the\n"
    "         record number), made safe and unique, always inside DIR.\n"
    "         --combined also (or instead) writes every letter into one PDF.\n"
    "         -j N workers (default: one per CPU this process may use); --keep-going past failed\n"
    "         records; --skip-existing leaves existing files alone (resume);\n"
    "         --shard K/N does every Nth record from the Kth (1 <= K <= N);\n"
    "         --shard auto[/N] takes K from SLURM_ARRAY_TASK_ID,\n"
    "         JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX (from 0, so K is\n"
    "         the index + 1) and N from /N or the array (see letterpress(1)).\n"
    "         --format (default: by extension, .tsv and .txt are tab- or\n"
    "         ;-separated CSV), --delimiter (default: found in the header\n"
    "         line), --encoding NAME (default: UTF-8, or the byte order mark's).\n"
    "         --check reads every record and checks it against the template\n"
    "         and the output names, writes nothing: exit 0, or 2 listing every\n"
    "         problem.  --dry-run (without --eml) checks the same and lists\n"
    "         each file the merge would write, writing nothing.  Ctrl-C\n"
    "         stops after the letters being made (exit 130).\n"
    "         --eml also writes each letter as an email (PDF attached), named\n"
    "         like -o; --from, --to, --cc, --bcc (envelope only, no header),\n"
    "         --reply-to, --subject, the Markdown --body and --attach FILE\n"
    "         (repeatable) are filled per record.  --smtp smtp://HOST:PORT (STARTTLS when\n"
    "         offered) or smtps://... then sends them one by one: --rate N/s,\n"
    "         --retries N on 4xx replies, results appended to --log FILE (CSV);\n"
    "         records the log shows as sent are never sent again.  --dry-run\n"
    "         with --eml checks and lists what would be sent.\n"
    "         --password '{{birth_date}}' protects each letter with a password\n"
    "         filled from its record (an empty one fails the record), or one\n"
    "         password for all from env:VAR or file:PATH; --owner-password and\n"
    "         --permissions as for render.  Not with --combined.\n"
    "         --manifest FILE records what this run did, one JSON line per\n"
    "         record (path, status, bytes, SHA-256), flushed as it goes.\n"
    "         --sign-key ... (as for render) signs every letter, the key read\n"
    "         once; --tsa asks one time-stamp per letter, --tsa-retries N\n"
    "         (default 3) after no answer or HTTP 5xx, at most --tsa-rate N/s.\n"
    "manifest-check  proves a batch from its shards' manifests: every record\n"
    "         exactly once, same template and data, every file as recorded;\n"
    "         prints what is missing or doubled; exit 0 or 1.\n"
    "fields   prints, as JSON, the template's placeholders and form fields.\n"
    "fonts    shows the fonts that a language resolves to, per script and style.\n"
    "\n"
    "Fonts are found through fontconfig with letterpress's own configuration\n"
    "(fonts/fonts.conf in the build tree, ../share/letterpress/fonts.conf from\n"
    "the program's directory when installed; LETTERPRESS_FONTCONFIG names another,\n"
    "LETTERPRESS_FONTCONFIG=system uses the system's).  Letters are drawn only\n"
    "from the declared font set (Noto, DejaVu, Hanazono), the families the\n"
    "template names, and font directories added with --font-path DIR (any\n"
    "command, repeatable), LETTERPRESS_FONT_PATH (DIR:DIR) or the template's\n"
    "font-path; --system-fonts lets every installed font take part.\n"
    "See letterpress(1).\n"
    "Exit status: 0 success, 1 runtime failure (I/O, fonts), 2 bad usage or input.\n";

/* Prints an error in GNU style. */
static void print_error(const lp_error *err, const char *kind) {
  if (err->file[0] && err->line > 0 && err->column > 0)
    fprintf(stderr, "%s:%d:%d: %s: %s\n", err->file, err->line, err->column,
            kind, err->message);
  else if (err->file[0] && err->line > 0)
    fprintf(stderr, "%s:%d: %s: %s\n", err->file, err->line, kind,
            err->message);
  else if (err->file[0])
    fprintf(stderr, "%s: %s: %s\n", err->file, kind, err->message);
  else
    fprintf(stderr, "letterpress: %s: %s\n", kind, err->message);
}

static int fail(const lp_error *err) {
  print_error(err, "error");
  return err->code == LP_ERR_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "letterpress: error: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'letterpress --help'.\n");
  return EXIT_USAGE;
}

static void print_warning(void *ctx, const lp_error *w) {
  (void)ctx;
  print_error(w, "warning");
}

/* The fontconfig file: $LETTERPRESS_FONTCONFIG, else fonts/fonts.conf beside
 * the executable (a build tree), else the installed copy; NULL = system. */
static char *fontconfig_file(void) {
  const char *env = getenv("LETTERPRESS_FONTCONFIG");
  if (env && *env) return strcmp(env, "system") ? strdup(env) : NULL;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return NULL;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return NULL;
  *slash = '\0';
  const char *tries[] = {"/fonts/fonts.conf", "/../fonts/fonts.conf",
                         "/../share/letterpress/fonts.conf"};
  for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s%s", exe, tries[i]);
    if (access(path, R_OK) == 0) return strdup(path);
  }
  return NULL;
}

/* The font options, which any command takes anywhere after its name. */
static struct {
  char **dirs; /* --font-path DIR, in order */
  int ndirs;
  bool system; /* --system-fonts */
} font_options;

/* Takes --font-path DIR and --system-fonts out of argv (so that commands
 * never see them).  Returns 0, or EXIT_USAGE after a message. */
static int take_font_options(int *argc, char **argv) {
  int out = 0;
  for (int i = 0; i < *argc; i++) {
    if (!strcmp(argv[i], "--system-fonts")) {
      font_options.system = true;
    } else if (!strcmp(argv[i], "--font-path")) {
      if (i + 1 >= *argc) return usage_error("%s needs a directory", argv[i]);
      font_options.dirs = realloc(font_options.dirs,
                                  (size_t)(font_options.ndirs + 1) *
                                      sizeof *font_options.dirs);
      if (!font_options.dirs) return usage_error("%s", "out of memory");
      font_options.dirs[font_options.ndirs++] = argv[++i];
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  argv[out] = NULL;
  return 0;
}

/* Adds LETTERPRESS_FONT_PATH's directories (separated by ':'), then the
 * --font-path ones, to the engine's font set. */
static bool add_font_dirs(lp_engine *e, lp_error *err) {
  const char *env = getenv("LETTERPRESS_FONT_PATH");
  for (const char *p = env; p && *p;) {
    const char *end = strchr(p, ':');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char dir[PATH_MAX];
    if (n && n < sizeof dir) {
      memcpy(dir, p, n);
      dir[n] = '\0';
      if (!lp_engine_add_font_dir(e, dir, err)) {
        size_t len = strlen(err->message);
        snprintf(err->message + len, sizeof err->message - len,
                 " (from LETTERPRESS_FONT_PATH)");
        return false;
      }
    }
    p = end ? end + 1 : NULL;
  }
  for (int i = 0; i < font_options.ndirs; i++)
    if (!lp_engine_add_font_dir(e, font_options.dirs[i], err)) return false;
  return true;
}

static lp_engine *open_engine(lp_error *err) {
  char *conf = fontconfig_file();
  lp_engine *e = lp_engine_new(conf, err);
  free(conf);
  if (e && !add_font_dirs(e, err)) {
    lp_engine_free(e);
    return NULL;
  }
  if (e && font_options.system) lp_engine_use_system_fonts(e, true);
  return e;
}

/* Reads one signing option at argv[*i] ("--key" with prefix "--", or
 * "--sign-key" with prefix "--sign-") into o.  The options of the PAdES
 * levels past B-B (--tsa, --tsa-user, --tsa-pass, --ltv, --ocsp, --crl)
 * have no prefix: they name services and data, not the signer.  Returns 1
 * when it was one, 0 when not, and -1 (after a message) when its value is
 * missing. */
static int sign_option(int argc, char **argv, int *i, const char *prefix,
                       lp_sign_options *o) {
  static const char *const names[] = {"key",    "cert",     "chain",
                                      "pass",   "field",    "reason",
                                      "location", "name",   "contact",
                                      "image",
                                      "tsa",    "tsa-user", "tsa-pass",
                                      "ocsp",   "crl"};
  const char **slots[] = {&o->key,    &o->cert,     &o->chain,
                          &o->pass,   &o->field,    &o->reason,
                          &o->location, &o->name,   &o->contact,
                          &o->image,
                          &o->tsa,    &o->tsa_user, &o->tsa_pass,
                          &o->ocsp,   &o->crl};
  enum { FIRST_UNPREFIXED = 10 };
  if (!strcmp(argv[*i], "--ltv")) {
    o->ltv = true;
    return 1;
  }
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    const char *pre = k < FIRST_UNPREFIXED ? prefix : "--";
    size_t n = strlen(pre);
    if (strncmp(argv[*i], pre, n) || strcmp(argv[*i] + n, names[k])) continue;
    if (*i + 1 >= argc) {
      usage_error("%s needs a value", argv[*i]);
      return -1;
    }
    *slots[k] = argv[++*i];
    return 1;
  }
  return 0;
}

/* A usage error when --tsa-user or --tsa-pass come without --tsa, or
 * --ocsp or --crl without --ltv. */
static int check_tsa_options(const lp_sign_options *o) {
  if ((o->tsa_user || o->tsa_pass) && !o->tsa)
    return usage_error("%s", "--tsa-user and --tsa-pass need --tsa URL");
  if ((o->ocsp || o->crl) && !o->ltv)
    return usage_error("%s", "--ocsp and --crl need --ltv");
  return 0;
}

/* The password options of render and merge, as given, and the secrets
 * read from them (wiped and freed by password_args_free). */
typedef struct password_args {
  const char *password, *owner, *permissions;
  char *user_secret, *owner_secret;
} password_args;

/* Reads --password, --owner-password or --permissions at argv[*i] into p.
 * Returns 1 when it was one, 0 when not, -1 (after a message) when its
 * value is missing. */
static int password_option(int argc, char **argv, int *i, password_args *p) {
  const char *names[] = {"--password", "--owner-password", "--permissions"};
  const char **slots[] = {&p->password, &p->owner, &p->permissions};
  for (int k = 0; k < 3; k++) {
    if (strcmp(argv[*i], names[k])) continue;
    if (*i + 1 >= argc) {
      usage_error("%s needs a value", argv[*i]);
      return -1;
    }
    *slots[k] = argv[++*i];
    return 1;
  }
  return 0;
}

/* Wipes and frees the secrets of p. */
static void password_args_free(password_args *p) {
  char *secrets[] = {p->user_secret, p->owner_secret};
  for (int k = 0; k < 2; k++)
    if (secrets[k]) explicit_bzero(secrets[k], strlen(secrets[k])), free(secrets[k]);
  p->user_secret = p->owner_secret = NULL;
}

/* Reads a password from its source ("env:VAR", "file:PATH") into *secret;
 * an exit code after a message, or 0. */
static int read_password(const char *source, const char *option, char **secret) {
  lp_error err = {0};
  if (!lp_encrypt_read_password(source, option, secret, &err)) return fail(&err);
  if (!**secret) {
    fprintf(stderr, "letterpress: error: %s: the password from %s is empty\n",
            option, source);
    return EXIT_USAGE;
  }
  return 0;
}

/* Checks p and reads its secrets into eo.  For render, --password is a
 * source (env:VAR, file:PATH); for merge (templated) it may be a text
 * with placeholders, filled per record, which goes to *pattern.  Returns 0,
 * or an exit code after a message. */
static int password_setup(password_args *p, bool templated,
                          lp_encrypt_options *eo, const char **pattern) {
  lp_error err = {0};
  if (!p->password && (p->owner || p->permissions))
    return usage_error("%s", "--owner-password and --permissions go with --password");
  if (!p->password) return 0;
  if (!lp_encrypt_check_permissions(p->permissions, &err)) return fail(&err);
  eo->permissions = p->permissions;
  int rc = p->owner ? read_password(p->owner, "--owner-password", &p->owner_secret) : 0;
  eo->owner_password = p->owner_secret;
  if (rc) return rc;
  bool source = !strncmp(p->password, "env:", 4) || !strncmp(p->password, "file:", 5);
  if (templated && !source) {
    if (!strstr(p->password, "{{"))
      return usage_error("%s", "--password needs a placeholder filled from the data "
                               "(e.g. '{{birth_date}}'), or env:VAR or file:PATH: a "
                               "password written on the command line shows in the "
                               "process list");
    *pattern = p->password;
    return 0;
  }
  rc = read_password(p->password, "--password", &p->user_secret);
  if (!rc && templated && strstr(p->user_secret, "{{"))
    return usage_error("%s", "--password: a password read from env: or file: "
                             "may not hold '{{' (merge would fill it)");
  eo->user_password = p->user_secret;
  if (pattern) *pattern = p->user_secret;
  return rc;
}

/* Reads one limit option at argv[*i] (--max-pages N, --max-depth N,
 * --max-image-pixels N, --max-input-size BYTES; 0 = no limit) into lim.
 * Returns 1 when it was one, 0 when not, -1 (after a message) when its
 * value is missing or not a number. */
static int limit_option(int argc, char **argv, int *i, lp_limits *lim) {
  static const char *const names[] = {"--max-pages", "--max-depth",
                                      "--max-image-pixels", "--max-input-size"};
  int k = 0;
  while (k < 4 && strcmp(argv[*i], names[k])) k++;
  if (k == 4) return 0;
  char *end = NULL;
  errno = 0;
  unsigned long long v = *i + 1 < argc ? strtoull(argv[*i + 1], &end, 10) : 0;
  if (*i + 1 >= argc || !end || *end || errno == ERANGE ||
      !isdigit((unsigned char)argv[*i + 1][0]) ||
      (k < 2 && v > 0xFFFFFFFFull) || (k == 3 && v > SIZE_MAX)) {
    usage_error("%s needs a number (0 for no limit)", argv[*i]);
    return -1;
  }
  ++*i;
  if (k == 0) lim->max_pages = (unsigned)v;
  if (k == 1) lim->max_depth = (unsigned)v;
  if (k == 2) lim->max_image_pixels = v;
  if (k == 3) lim->max_input_bytes = (size_t)v;
  return 1;
}

/* Whether two paths name the same existing file. */
static bool same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The default output: the template's path with .md replaced by .pdf. */
static char *default_output(const char *tpl) {
  size_t n = strlen(tpl);
  char *out = malloc(n + 5);
  if (!out) return NULL;
  memcpy(out, tpl, n + 1);
  if (n > 3 && !strcmp(out + n - 3, ".md")) out[n - 3] = '\0';
  strcat(out, ".pdf");
  return out;
}

/* Splits "key=value" at the first '='; returns false if there is none. */
static bool split_pair(char *arg, char **key, char **value) {
  char *eq = strchr(arg, '=');
  if (!eq || eq == arg) return false;
  *eq = '\0';
  *key = arg;
  *value = eq + 1;
  return true;
}

/* The last case of an option loop: an unknown option, else the template
 * (once).  Returns 0 or the exit code after a message. */
static int template_arg(const char *a, const char **tpl_path) {
  if (a[0] == '-' && a[1]) return usage_error("unknown option '%s'", a);
  if (*tpl_path)
    return usage_error("one template at a time: '%s' is one too many", a);
  *tpl_path = a;
  return 0;
}

static bool set_meta(void *tpl, const char *k, const char *v, lp_error *err) {
  return lp_template_set_meta(tpl, k, v, err);
}

static bool set_data(void *data, const char *k, const char *v, lp_error *err) {
  return lp_data_set(data, k, v, err);
}

/* Applies KEY=VALUE pairs (of option opt) to obj with set; returns 0, or
 * the exit code after printing the error. */
static int apply_pairs(char **pairs, int n, const char *opt,
                       bool (*set)(void *, const char *, const char *,
                                   lp_error *),
                       void *obj) {
  for (int i = 0; i < n; i++) {
    char *k, *v;
    lp_error err = {0};
    if (!split_pair(pairs[i], &k, &v)) {
      fprintf(stderr, "letterpress: error: %s needs KEY=VALUE, not '%s'\n",
              opt, pairs[i]);
      return EXIT_USAGE;
    }
    if (!set(obj, k, v, &err)) return fail(&err);
  }
  return 0;
}

/* Reads one option of how DATA is written at argv[*i] (--format FMT,
 * --encoding NAME, --delimiter D) into the slots.  Returns true when it
 * was one (*rc set to the exit code when its value is missing or bad). */
static bool data_option(int argc, char **argv, int *i, const char **format,
                        const char **encoding, char *delimiter, int *rc) {
  const char *a = argv[*i];
  bool has_next = *i + 1 < argc;
  if (!strcmp(a, "--format")) {
    if (!has_next) *rc = usage_error("%s needs json, jsonl, csv or tsv", a);
    else *format = argv[++*i];
  } else if (!strcmp(a, "--encoding")) {
    if (!has_next)
      *rc = usage_error("%s needs an encoding, e.g. GB18030 or Shift_JIS", a);
    else *encoding = argv[++*i];
  } else if (!strcmp(a, "--delimiter")) {
    const char *d = has_next ? argv[*i + 1] : "";
    if (!strcmp(d, ",") || !strcmp(d, ";") || !strcmp(d, "\t"))
      *delimiter = d[0];
    else if (!strcasecmp(d, "tab") || !strcmp(d, "\\t"))
      *delimiter = '\t';
    else
      *rc = usage_error("%s needs ',', ';' or tab", a);
    if (!*rc) ++*i;
  } else {
    return false;
  }
  return true;
}

static int cmd_render(int argc, char **argv) {
  const char *tpl_path = NULL, *data_path = NULL, *out_path = NULL;
  bool blanks = false;
  char **sets = calloc((size_t)argc, sizeof *sets);
  bool attach_data = false; /* --attach-data */
  char **metas = calloc((size_t)argc, sizeof *metas);
  int nsets = 0, nmetas = 0, rc = 0;
  lp_error err = {0};
  lp_template *tpl = NULL;
  lp_data *data = NULL;
  lp_engine *engine = NULL;
  char *default_out = NULL;
  lp_sign_options sign = {0};
  lp_limits limits = lp_limits_default();
  bool force = false;
  lp_data_source src = {0};
  password_args pw = {0};
  lp_encrypt_options protect = {0};
  for (int i = 0; i < argc && !rc; i++) {
    const char *a = argv[i];
    bool has_next = i + 1 < argc;
    int so = sign_option(argc, argv, &i, "--sign-", &sign);
    int lo = so ? 0 : limit_option(argc, argv, &i, &limits);
    int po = so || lo ? 0 : password_option(argc, argv, &i, &pw);
    if (so < 0 || lo < 0 || po < 0) {
      rc = EXIT_USAGE;
    } else if (so > 0 || lo > 0 || po > 0) {
      continue;
    } else if (!strcmp(a, "--force")) {
      force = true;
    } else if (!strcmp(a, "-d") || !strcmp(a, "--data")) {
      if (!has_next) rc = usage_error("%s needs a data file", a);
      else data_path = argv[++i];
    } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
      if (!has_next) rc = usage_error("%s needs an output path", a);
      else out_path = argv[++i];
    } else if (!strcmp(a, "--set")) {
      if (!has_next) rc = usage_error("%s needs KEY=VALUE", a);
      else sets[nsets++] = argv[++i];
    } else if (!strcmp(a, "--meta")) {
      if (!has_next) rc = usage_error("%s needs KEY=VALUE", a);
      else metas[nmetas++] = argv[++i];
    } else if (!strcmp(a, "--blanks")) {
      blanks = true;
    } else if (!strcmp(a, "--attach-data")) {
      attach_data = true;
    } else if (data_option(argc, argv, &i, &src.format, &src.encoding,
                           &src.delimiter, &rc)) {
      continue;
    } else {
      rc = template_arg(a, &tpl_path);
    }
  }
  if (!rc && !tpl_path) rc = usage_error("%s", "render needs a TEMPLATE");
  if (!rc && !sign.key &&
      (sign.cert || sign.chain || sign.pass || sign.field || sign.reason ||
       sign.location || sign.name || sign.contact || sign.image || sign.tsa || sign.ltv))
    rc = usage_error("%s", "the --sign-* options, --tsa and --ltv need --sign-key (else the PDF would not be signed)");
  if (!rc) rc = check_tsa_options(&sign);
  if (!rc) rc = password_setup(&pw, false, &protect, NULL);
  if (rc) goto done;

  tpl = lp_template_load_limited(tpl_path, limits.max_input_bytes, &err);
  if (!tpl) {
    rc = fail(&err);
    goto done;
  }
  rc = apply_pairs(metas, nmetas, "--meta", set_meta, tpl);
  if (!rc && attach_data &&
      !lp_template_set_meta(tpl, "attach-data", "true", &err))
    rc = fail(&err);
  if (rc) goto done;
  src.max_bytes = limits.max_input_bytes;
  if (data_path) data = lp_data_load_from(data_path, &src, &err);
  else if (nsets)
    data = lp_data_parse_json("{}", 2, "--set", &err);
  if ((data_path || nsets) && !data) {
    rc = fail(&err);
    goto done;
  }
  rc = apply_pairs(sets, nsets, "--set", set_data, data);
  if (rc) goto done;
  if (!out_path) out_path = default_out = default_output(tpl_path);
  if (!out_path) {
    rc = EXIT_RUNTIME;
    goto done;
  }
  if (!force && (same_file(out_path, tpl_path) || same_file(out_path, data_path))) {
    fprintf(stderr, "%s: error: the output would overwrite an input file: "
                    "choose another -o, or add --force\n", out_path);
    rc = EXIT_USAGE;
    goto done;
  }
  engine = open_engine(&err);
  if (!engine) {
    rc = fail(&err);
    goto done;
  }
  lp_engine_set_limits(engine, &limits);
  lp_render_options opts = {data, blanks, print_warning, NULL,
                            sign.key ? &sign : NULL,
                            pw.password ? &protect : NULL};
  if (!lp_render_to_file(engine, tpl, &opts, out_path, &err)) rc = fail(&err);
done:
  lp_engine_free(engine);
  lp_data_free(data);
  lp_template_free(tpl);
  free(default_out);
  free(sets);
  free(metas);
  password_args_free(&pw);
  return rc;
}

/* Whether option is one of timestamp's (the time-stamp and LTV ones). */
static bool timestamp_option(const char *option) {
  return !strncmp(option, "--tsa", 5) || !strcmp(option, "--ltv") ||
         !strcmp(option, "--ocsp") || !strcmp(option, "--crl");
}

/* Reads the arguments of sign and timestamp: IN.pdf, -o OUT.pdf, and the
 * signing options that accept allows (NULL: all) into o.  Returns 0, or
 * EXIT_USAGE after a message. */
static int pdf_command_args(int argc, char **argv,
                            bool (*accept)(const char *), const char **in,
                            const char **out, lp_sign_options *o,
                            const char **password) {
  for (int i = 0; i < argc; i++) {
    int so = !accept || accept(argv[i]) ? sign_option(argc, argv, &i, "--", o)
                                        : 0;
    if (so < 0) return EXIT_USAGE;
    if (so > 0) continue;
    if (!strcmp(argv[i], "--password")) { /* the PDF's, read by the caller */
      if (i + 1 >= argc) return usage_error("%s needs env:VAR or file:PATH", argv[i]);
      *password = argv[++i];
    } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
      if (i + 1 >= argc) return usage_error("%s needs an output path", argv[i]);
      *out = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error("unknown option '%s'", argv[i]);
    } else if (!*in) {
      *in = argv[i];
    } else {
      return usage_error("one PDF at a time: '%s' is one too many", argv[i]);
    }
  }
  return 0;
}

static int cmd_sign(int argc, char **argv) {
  const char *in = NULL, *out = NULL;
  lp_sign_options o = {0};
  const char *password = NULL;
  if (pdf_command_args(argc, argv, NULL, &in, &out, &o, &password)) return EXIT_USAGE;
  if (!in) return usage_error("%s", "sign needs a PDF: letterpress sign IN.pdf -o OUT.pdf --key KEY");
  if (!out) return usage_error("%s", "sign needs -o OUT.pdf");
  if (!o.key) return usage_error("%s", "sign needs --key KEY.pem (or .p12)");
  if (check_tsa_options(&o)) return EXIT_USAGE;
  password_args pw = {0};
  int rc = password ? read_password(password, "--password", &pw.user_secret) : 0;
  o.password = pw.user_secret;
  lp_error err = {0};
  lp_engine *engine = rc ? NULL : open_engine(&err);
  if (!rc && !engine) rc = fail(&err);
  if (!rc && !lp_sign_file(engine, in, out, &o, &err)) rc = fail(&err);
  lp_engine_free(engine);
  password_args_free(&pw);
  return rc;
}

/* letterpress timestamp IN.pdf -o OUT.pdf --tsa URL [--tsa-user NAME]
 * [--tsa-pass SRC] [--ltv [--ocsp FILE] [--crl FILE]]: PAdES B-LTA. */
static int cmd_timestamp(int argc, char **argv) {
  const char *in = NULL, *out = NULL;
  lp_sign_options o = {0};
  const char *password = NULL;
  if (pdf_command_args(argc, argv, timestamp_option, &in, &out, &o, &password))
    return EXIT_USAGE;
  if (!in) return usage_error("%s", "timestamp needs a PDF: letterpress timestamp IN.pdf -o OUT.pdf --tsa URL");
  if (!out) return usage_error("%s", "timestamp needs -o OUT.pdf");
  if (!o.tsa) return usage_error("%s", "timestamp needs --tsa URL (a time-stamping authority)");
  if (check_tsa_options(&o)) return EXIT_USAGE;
  password_args pw = {0};
  int rc = password ? read_password(password, "--password", &pw.user_secret) : 0;
  o.password = pw.user_secret;
  lp_error err = {0};
  if (!rc && !lp_timestamp_file(in, out, &o, &err)) rc = fail(&err);
  password_args_free(&pw);
  return rc;
}

static int cmd_fonts(int argc, char **argv) {
  const char *lang = "en";
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--lang") && i + 1 < argc)
      lang = argv[++i];
    else if (!strncmp(argv[i], "--lang=", 7))
      lang = argv[i] + 7;
    else
      return usage_error("unknown argument '%s'", argv[i]);
  }
  lp_error err = {0};
  lp_engine *engine = open_engine(&err);
  if (!engine) return fail(&err);
  char *report = NULL;
  int rc = 0;
  if (lp_engine_describe_fonts(engine, lang, &report, &err))
    fputs(report, stdout);
  else
    rc = fail(&err);
  free(report);
  lp_engine_free(engine);
  return rc;
}

/* ---- The mail module ----------------------------------------------------- */

/* GMime and libcurl bring some 35 shared libraries (GnuTLS, Kerberos,
 * LDAP, ...); loading them at every start cost about 2.5 ms, a tenth of
 * rendering a letter, and most runs make no mail.  So the program opens
 * the mail code (src/mail.c, built as a module) only for --eml and --smtp.
 * The module takes the letterpress functions it calls from this program,
 * which exports them (the Makefile's mail.list).  LP_MAIL_MODULE is set
 * by the Makefile: the build tree's module, or the installed one. */
#ifndef LP_MAIL_MODULE
#define LP_MAIL_MODULE "letterpress-mail.so"
#endif

static struct {
  lp_mail *(*create)(const lp_mail_options *, lp_error *);
  void (*destroy)(lp_mail *);
  bool (*survey)(void *, size_t, const lp_data *, bool, lp_error *);
  bool (*letter)(void *, size_t, const lp_data *, const char *, lp_error *);
  bool (*send)(lp_mail *, const lp_send_options *, lp_send_summary *,
               lp_error *);
} mail_api;

/* Opens the mail module ($LETTERPRESS_MAIL_MODULE, else LP_MAIL_MODULE)
 * once; false, err set, when it cannot be loaded. */
static bool load_mail(lp_error *err) {
  if (mail_api.create) return true;
  const char *path = getenv("LETTERPRESS_MAIL_MODULE");
  if (!path || !*path) path = LP_MAIL_MODULE;
  memset(err, 0, sizeof *err);
  err->code = LP_ERR_IO;
  snprintf(err->file, sizeof err->file, "%s", path);
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(err->message, sizeof err->message,
             "cannot load the mail module (--eml, --smtp): %s; rebuild or "
             "reinstall letterpress", dlerror());
    return false;
  }
  static const char *const names[] = {"lp_mail_new", "lp_mail_free",
                                      "lp_mail_survey", "lp_mail_letter",
                                      "lp_mail_send"};
  void *fns[5];
  for (int i = 0; i < 5; i++)
    if (!(fns[i] = dlsym(lib, names[i]))) {
      snprintf(err->message, sizeof err->message,
               "the mail module has no %s: rebuild or reinstall letterpress",
               names[i]);
      dlclose(lib);
      return false;
    }
  memset(err, 0, sizeof *err);
  *(void **)&mail_api.create = fns[0];
  *(void **)&mail_api.destroy = fns[1];
  *(void **)&mail_api.survey = fns[2];
  *(void **)&mail_api.letter = fns[3];
  *(void **)&mail_api.send = fns[4];
  return true;
}

/* Progress state of a merge, for the bar on a terminal. */
typedef struct merge_view {
  bool tty;          /* standard error is a terminal: draw the bar */
  double last_draw;  /* seconds, of the last drawing */
  bool drawn;        /* a bar is on the screen */
  const char *data;  /* the data file, for failure locations */
  lp_mail *mail;     /* --eml: the messages; NULL without */
  size_t planned, kept; /* a dry run: letters it would write, keep */
  bool skip;         /* --skip-existing, for a dry run's list */
} merge_view;

static bool merge_survey(void *ctx, size_t record, const lp_data *rec,
                         bool in_shard, lp_error *err) {
  merge_view *v = ctx;
  return mail_api.survey(v->mail, record, rec, in_shard, err);
}

static bool merge_letter(void *ctx, size_t record, const lp_data *rec,
                         const char *path, lp_error *err) {
  merge_view *v = ctx;
  return mail_api.letter(v->mail, record, rec, path, err);
}

/* Set by SIGINT and SIGTERM while sending: stop after the current message. */
static volatile int send_stop;

static void stop_sending(int sig) {
  (void)sig;
  send_stop = 1;
}

static void send_result(void *ctx, const lp_send_result *r) {
  (void)ctx;
  if (!strcmp(r->status, "sent") || !strcmp(r->status, "already sent"))
    return;
  if (!strcmp(r->status, "dry-run")) {
    printf("record %zu: %s to %s\n", r->record, r->file, r->to);
    return;
  }
  fprintf(stderr, "%s: %s: record %zu%s%s: %s\n", r->file[0] ? r->file : "send",
          !strcmp(r->status, "failed") ? "error" : "warning", r->record,
          r->to[0] ? " to " : "", r->to, r->reply);
}

/* Parses a rate: "N/s", "N/min", "N/h" or N (per second). */
static bool parse_rate(const char *s, double *per_second) {
  char *end;
  double n = strtod(s, &end);
  if (end == s || n <= 0) return false;
  if (!*end || !strcmp(end, "/s")) *per_second = n;
  else if (!strcmp(end, "/min") || !strcmp(end, "/m")) *per_second = n / 60;
  else if (!strcmp(end, "/h")) *per_second = n / 3600;
  else return false;
  return true;
}

/* Sends the merged messages (after the merge); returns the exit code. */
static int send_mail(lp_mail *mail, const lp_send_options *so) {
  lp_send_options o = *so;
  o.stop = &send_stop;
  o.result = send_result;
  struct sigaction sa = {0}, old_int, old_term;
  sa.sa_handler = stop_sending;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  lp_send_summary sum;
  lp_error err = {0};
  bool ok = mail_api.send(mail, &o, &sum, &err);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  if (!ok) return fail(&err);
  if (o.dry_run)
    fprintf(stderr, "send: %zu message%s would be sent (--dry-run)",
            sum.dry_run, sum.dry_run == 1 ? "" : "s");
  else /* of this run's records: the letters' summary counts the same */
    fprintf(stderr, "send: %zu of %zu message%s sent", sum.sent,
            sum.sent + sum.failed + sum.skipped + sum.held + sum.missing,
            sum.sent + sum.failed + sum.skipped + sum.held + sum.missing == 1
                ? ""
                : "s");
  if (sum.skipped) fprintf(stderr, ", %zu already sent", sum.skipped);
  if (sum.failed) fprintf(stderr, ", %zu failed", sum.failed);
  if (sum.held) fprintf(stderr, ", %zu held (an earlier run stopped while sending them)", sum.held);
  if (sum.missing)
    fprintf(stderr, ", %zu not made (no letter or no .eml)", sum.missing);
  if (send_stop) fputs("; stopped: run again to send the rest", stderr);
  if (sum.unreachable)
    fputs("; stopped: the server cannot be reached (run again to send the "
          "rest)", stderr);
  fputs("\n", stderr);
  return sum.failed || sum.held || send_stop || sum.unreachable ? EXIT_RUNTIME
                                                                 : 0;
}

/* Erases the progress bar so that a message can be printed. */
static void merge_clear(merge_view *v) {
  if (v->drawn) fputs("\r\033[K", stderr);
  v->drawn = false;
}

static void merge_progress(void *ctx, const lp_merge_progress *p) {
  merge_view *v = ctx;
  if (!v->tty || (p->seconds - v->last_draw < 0.1 && p->done < p->total))
    return;
  v->last_draw = p->seconds;
  enum { WIDTH = 30 };
  int filled = p->total ? (int)(WIDTH * p->done / p->total) : WIDTH;
  double rate = p->seconds > 0 ? (double)p->done / p->seconds : 0;
  double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;
  fprintf(stderr, "\r\033[K[%.*s%*s] %zu/%zu  %.0f letters/s  ETA %.0fs",
          filled, "==============================", WIDTH - filled, "",
          p->done, p->total, rate, eta);
  if (p->failed) fprintf(stderr, "  %zu failed", p->failed);
  v->drawn = true;
}

static void merge_failure(void *ctx, const lp_merge_failure *f) {
  merge_view *v = ctx;
  merge_clear(v);
  char where[600];
  if (f->data_line)
    snprintf(where, sizeof where, "%s:%d", v->data, f->data_line);
  else
    snprintf(where, sizeof where, "%s", v->data);
  const lp_error *e = f->error;
  if (e->file[0] && e->line > 0 && e->column > 0)
    fprintf(stderr, "%s:%d:%d: ", e->file, e->line, e->column);
  else if (e->file[0] && e->line > 0)
    fprintf(stderr, "%s:%d: ", e->file, e->line);
  else if (e->file[0])
    fprintf(stderr, "%s: ", e->file);
  fprintf(stderr, "error: record %zu (%s%s%s): %s\n", f->record, where,
          f->key[0] ? ", " : "", f->key, e->message);
}

static void merge_warning(void *ctx, const lp_error *w) {
  merge_clear(ctx);
  print_error(w, "warning");
}

/* Prints the merge's summary line.  With mail, letters and messages are
 * counted apart: a record whose message failed still has its letter. */
static void print_merge_summary(const lp_merge_progress *sum, bool mail) {
  size_t written = sum->written + sum->hook_failed_written;
  size_t skipped = sum->skipped + sum->hook_failed_skipped;
  size_t mail_failed = sum->hook_failed_written + sum->hook_failed_skipped;
  size_t failed = sum->failed - mail_failed; /* letters not made */
  fprintf(stderr, "merge: %zu of %zu letter%s written in %.1f s (%.0f/s)",
          written, sum->total, sum->total == 1 ? "" : "s", sum->seconds,
          sum->seconds > 0 ? (double)written / sum->seconds : 0.0);
  if (skipped) fprintf(stderr, ", %zu skipped (already there)", skipped);
  if (failed) fprintf(stderr, ", %zu failed", failed);
  if (sum->done < sum->total)
    fprintf(stderr, ", %zu not done (stopped at the first failure; "
            "--keep-going goes on)", sum->total - sum->done);
  if (mail) {
    fprintf(stderr, "; %zu of %zu message%s made (.eml)",
            sum->written + sum->skipped, sum->total,
            sum->total == 1 ? "" : "s");
    if (mail_failed)
      fprintf(stderr, ", %zu failed (%s letter%s written all the same)",
              mail_failed, mail_failed == 1 ? "its" : "their",
              mail_failed == 1 ? " is" : "s are");
  }
  if (sum->repeated_warnings)
    fprintf(stderr, "; %zu warning%s repeated in later letters not shown",
            sum->repeated_warnings, sum->repeated_warnings == 1 ? "" : "s");
  fputs("\n", stderr);
}

/* Set by SIGINT or SIGTERM during a merge (to the signal's number). */
static volatile int merge_stop;

/* A dry run's line for each letter: the file a merge would write, and
 * whether one is there already (--skip-existing keeps it, else it is
 * replaced). */
static void merge_plan(void *ctx, size_t record, const char *path) {
  merge_view *v = ctx;
  bool there = access(path, F_OK) == 0;
  if (there && v->skip) {
    v->kept++;
    printf("record %zu: would keep %s (already there)\n", record, path);
    return;
  }
  v->planned++;
  printf("record %zu: would write %s%s\n", record, path,
         there ? " (replacing the file there)" : "");
}

/* The end of a dry run (--dry-run without mail): how many letters would be
 * written, kept and refused; exit 2 when a record has a problem, as for
 * --check. */
static int plan_summary(const lp_merge_options *o, const lp_merge_progress *sum,
                        const merge_view *v) {
  size_t letters = o->output ? v->planned + v->kept : sum->total - sum->failed;
  if (o->combined)
    printf("combined: would write %s (%zu letter%s)\n", o->combined, letters,
           letters == 1 ? "" : "s");
  fprintf(stderr, "dry run: %zu record%s: %zu letter%s would be written",
          sum->total, sum->total == 1 ? "" : "s",
          o->output ? v->planned : letters,
          (o->output ? v->planned : letters) == 1 ? "" : "s");
  if (v->kept) fprintf(stderr, ", %zu kept (already there)", v->kept);
  fprintf(stderr, ", %zu problem%s; nothing written\n", sum->failed,
          sum->failed == 1 ? "" : "s");
  return sum->failed ? EXIT_USAGE : 0;
}

static void stop_merging(int sig) { merge_stop = sig; }

/* Parses "K/N" for --shard. */
static bool parse_shard(const char *s, unsigned *k, unsigned *n) {
  char *end;
  unsigned long a = strtoul(s, &end, 10);
  if (end == s || *end != '/') return false;
  const char *t = end + 1;
  unsigned long b = strtoul(t, &end, 10);
  if (end == t || *end || b < 1 || a < 1 || a > b || b > UINT_MAX)
    return false;
  *k = (unsigned)a;
  *n = (unsigned)b;
  return true;
}

/* Reads one signing option of merge at argv[*i] (those of render, and
 * --tsa-retries N, --tsa-rate N/s) into o; returns as sign_option does. */
static int merge_sign_option(int argc, char **argv, int *i, lp_sign_options *o) {
  const char *a = argv[*i];
  bool has_next = *i + 1 < argc;
  if (!strcmp(a, "--tsa-retries")) {
    char *end;
    long n = has_next ? strtol(argv[*i + 1], &end, 10) : -1;
    if (!has_next || *end || n < 0 || n > 20) {
      usage_error("%s needs a number from 0 to 20", a);
      return -1;
    }
    o->tsa_retries = (int)n, ++*i;
    return 1;
  }
  if (!strcmp(a, "--tsa-rate")) {
    if (!has_next || !parse_rate(argv[*i + 1], &o->tsa_rate)) {
      usage_error("%s needs requests per second, e.g. 5/s or 100/min", a);
      return -1;
    }
    ++*i;
    return 1;
  }
  return sign_option(argc, argv, i, "--sign-", o);
}

/* A usage error when merge's signing options come without --sign-key, or
 * the time-stamp ones without --tsa. */
static int check_merge_signing(const lp_sign_options *o, bool tsa_set) {
  if (!o->key && (o->cert || o->chain || o->pass || o->field || o->reason ||
                  o->location || o->name || o->contact || o->image || o->tsa ||
                  o->ltv))
    return usage_error("%s", "the --sign-* options, --tsa and --ltv need "
                             "--sign-key (else the letters would not be signed)");
  if (tsa_set && !o->tsa)
    return usage_error("%s", "--tsa-retries and --tsa-rate need --tsa URL");
  return check_tsa_options(o);
}

static int cmd_merge(int argc, char **argv) {
  lp_merge_options o = {0};
  lp_sign_options sign = {0};
  sign.tsa_retries = 3; /* as --retries for --smtp */
  sign.tsa_backoff = 1;
  bool tsa_set = false; /* --tsa-retries or --tsa-rate given */
  bool attach_data = false; /* --attach-data */
  lp_mail_options mo = {0};
  lp_send_options so = {0};
  so.retries = 3;
  so.backoff = 1;
  const char *tpl_path = NULL;
  const char **sets = calloc((size_t)argc + 1, sizeof *sets);
  const char **attach = calloc((size_t)argc + 1, sizeof *attach);
  int rc = 0;
  lp_limits limits = lp_limits_default();
  password_args pw = {0};
  lp_encrypt_options protect = {0};
  for (int i = 0; i < argc && !rc; i++) {
    const char *a = argv[i];
    bool has_next = i + 1 < argc;
    int lo = limit_option(argc, argv, &i, &limits);
    int po = lo ? 0 : password_option(argc, argv, &i, &pw);
    int sg = lo || po ? 0 : merge_sign_option(argc, argv, &i, &sign);
    if (sg > 0 && !strncmp(a, "--tsa-r", 7)) tsa_set = true;
    if (lo < 0 || po < 0 || sg < 0) {
      rc = EXIT_USAGE;
    } else if (lo > 0 || po > 0 || sg > 0) {
      continue;
    } else if (!strcmp(a, "-d") || !strcmp(a, "--data")) {
      if (!has_next) rc = usage_error("%s needs a data file", a);
      else o.data = argv[++i];
    } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
      if (!has_next) rc = usage_error("%s needs a name like 'out/{{id}}.pdf'", a);
      else o.output = argv[++i];
    } else if (!strcmp(a, "--combined")) {
      if (!has_next) rc = usage_error("%s needs an output path", a);
      else o.combined = argv[++i];
    } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
      char *end;
      long j = has_next ? strtol(argv[i + 1], &end, 10) : 0;
      if (!has_next || *end || j < 1 || j > 64)
        rc = usage_error("%s needs a number of workers from 1 to 64", a);
      else o.jobs = (int)j, i++;
    } else if (!strcmp(a, "--shard")) {
      lp_error serr = {0};
      if (has_next && !strncmp(argv[i + 1], "auto", 4)) {
        if (!lp_merge_shard_auto(argv[++i], NULL, &o.shard, &o.shards, &serr))
          rc = fail(&serr);
      } else if (!has_next || !parse_shard(argv[i + 1], &o.shard, &o.shards))
        rc = usage_error("%s needs K/N with 1 <= K <= N (e.g. --shard 2/8), "
                         "auto or auto/N", a);
      else i++;
    } else if (data_option(argc, argv, &i, &o.data_format, &o.data_encoding,
                           &o.data_delimiter, &rc)) {
      continue;
    } else if (!strcmp(a, "--check")) {
      o.check = true;
    } else if (!strcmp(a, "--manifest")) {
      if (!has_next) rc = usage_error("%s needs a file name, e.g. shard-1.jsonl", a);
      else o.manifest = argv[++i];
    } else if (!strcmp(a, "--set")) {
      if (!has_next) rc = usage_error("%s needs KEY=VALUE", a);
      else sets[o.nsets++] = argv[++i];
    } else if (!strcmp(a, "--keep-going") || !strcmp(a, "-k")) {
      o.keep_going = true;
    } else if (!strcmp(a, "--skip-existing")) {
      o.skip_existing = true;
    } else if (!strcmp(a, "--blanks")) {
      o.blanks = true;
    } else if (!strcmp(a, "--attach-data")) {
      attach_data = true;
    } else if (!strcmp(a, "--eml") || !strcmp(a, "--from") ||
               !strcmp(a, "--to") || !strcmp(a, "--cc") ||
               !strcmp(a, "--subject") || !strcmp(a, "--body") ||
               !strcmp(a, "--smtp") || !strcmp(a, "--smtp-user") ||
               !strcmp(a, "--smtp-pass") || !strcmp(a, "--log") ||
               !strcmp(a, "--bcc") || !strcmp(a, "--reply-to")) {
      const char **slot[] = {&mo.eml, &mo.from, &mo.to, &mo.cc, &mo.subject,
                             &mo.body, &so.url, &so.user, &so.pass, &so.log,
                             &mo.bcc, &mo.reply_to};
      const char *names[] = {"--eml", "--from", "--to", "--cc", "--subject",
                             "--body", "--smtp", "--smtp-user", "--smtp-pass",
                             "--log", "--bcc", "--reply-to"};
      size_t k = 0;
      while (strcmp(a, names[k])) k++;
      if (!has_next) rc = usage_error("%s needs a value", a);
      else *slot[k] = argv[++i];
    } else if (!strcmp(a, "--attach")) {
      if (!has_next) rc = usage_error("%s needs a file, e.g. 'contracts/{{id}}.pdf'", a);
      else attach[mo.nattach++] = argv[++i];
    } else if (!strcmp(a, "--rate")) {
      if (!has_next || !parse_rate(argv[i + 1], &so.rate))
        rc = usage_error("%s needs messages per second, e.g. 5/s or 100/min", a);
      else i++;
    } else if (!strcmp(a, "--retries")) {
      char *end;
      long n = has_next ? strtol(argv[i + 1], &end, 10) : -1;
      if (!has_next || *end || n < 0 || n > 20)
        rc = usage_error("%s needs a number from 0 to 20", a);
      else so.retries = (int)n, i++;
    } else if (!strcmp(a, "--dry-run")) {
      so.dry_run = true;
    } else {
      rc = template_arg(a, &tpl_path);
    }
  }
  if (!rc && !tpl_path) rc = usage_error("%s", "merge needs a TEMPLATE");
  if (!rc && !o.data) rc = usage_error("%s", "merge needs data: -d DATA");
  if (!rc && !o.output && !o.combined)
    rc = usage_error("%s", "merge needs -o 'DIR/{{id}}.pdf' or --combined OUT.pdf");
  bool mailing = mo.eml || mo.from || mo.to || mo.cc || mo.subject ||
                 mo.body || mo.bcc || mo.reply_to || mo.nattach;
  mo.attach = attach;
  mo.log = so.log; /* a sent message's .eml is kept as it went out */
  /* --dry-run without mail: what the merge would write, nothing written. */
  bool planning = so.dry_run && !mailing && !so.url;
  if (planning) so.dry_run = false, o.check = true, o.plan = merge_plan;
  bool sending = so.url || so.dry_run;
  if (!rc && (mailing || sending) && (!mo.eml || !o.output))
    rc = usage_error("%s", !mo.eml ? "email needs --eml 'DIR/{{id}}.eml' "
                                     "(--dry-run alone lists the letters a "
                                     "merge would write)"
                                   : "email needs -o 'DIR/{{id}}.pdf'");
  if (!rc && mo.eml && (!mo.from || !mo.to || !mo.subject))
    rc = usage_error("%s", "--eml needs --from, --to and --subject");
  if (!rc && so.url && !so.log && !so.dry_run)
    rc = usage_error("%s", "--smtp needs --log results.csv: it keeps a re-run from sending twice");
  if (!rc && !sending && (so.user || so.pass || so.log || so.rate > 0))
    rc = usage_error("%s", "--smtp-user, --smtp-pass, --log and --rate go with --smtp");
  if (!rc && pw.password && o.combined)
    rc = usage_error("%s", "--password protects each letter's own file: it does not go "
                           "with --combined (one file, no one password)");
  if (!rc) rc = password_setup(&pw, true, &protect, &o.password);
  o.owner_password = protect.owner_password;
  o.permissions = protect.permissions;
  if (!rc) rc = check_merge_signing(&sign, tsa_set);
  if (!rc && sign.key) o.sign = &sign;
  if (rc) {
    password_args_free(&pw);
    free(sets);
    free(attach);
    return rc;
  }
  o.sets = sets;
  o.template_path = tpl_path;
  merge_view view = {.tty = isatty(STDERR_FILENO) == 1, .data = o.data,
                     .skip = o.skip_existing};
  o.progress = merge_progress;
  o.failure = merge_failure;
  o.warn = merge_warning;
  o.ctx = &view;
  lp_error err = {0};
  lp_engine *engine = NULL;
  if (mo.eml) {
    view.mail = load_mail(&err) ? mail_api.create(&mo, &err) : NULL;
    if (!view.mail) {
      free(sets);
      password_args_free(&pw);
      free(attach);
      return fail(&err);
    }
    o.survey = merge_survey;
    o.letter = merge_letter;
  }
  lp_template *tpl =
      lp_template_load_limited(tpl_path, limits.max_input_bytes, &err);
  if (tpl && attach_data &&
      !lp_template_set_meta(tpl, "attach-data", "true", &err)) {
    lp_template_free(tpl);
    tpl = NULL;
  }
  if (tpl) engine = open_engine(&err);
  if (engine) lp_engine_set_limits(engine, &limits);
  lp_merge_progress sum = {0};
  /* Ctrl-C: the letters being made are finished, then the merge says how
   * far it got.  (Forked workers inherit the handler, and stop too.) */
  struct sigaction sa = {0}, old_int, old_term;
  sa.sa_handler = stop_merging;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  o.stop = &merge_stop;
  if (!tpl || !engine) {
    rc = fail(&err);
  } else if (!lp_merge(engine, tpl, &o, &sum, &err)) {
    merge_clear(&view);
    rc = fail(&err);
  }
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  merge_clear(&view);
  if (merge_stop && tpl && engine && !o.check) {
    fprintf(stderr,
            "interrupted: %zu of %zu letters written; run again with "
            "--skip-existing to resume\n",
            sum.written + sum.skipped + sum.hook_failed_written +
                sum.hook_failed_skipped,
            sum.total);
    rc = 128 + merge_stop;
  } else if (planning && tpl && engine) {
    if (!rc) rc = plan_summary(&o, &sum, &view);
  } else if (o.check && tpl && engine) {
    if (!rc)
      fprintf(stderr, "check: %zu record%s, %zu problem%s%s\n", sum.total,
              sum.total == 1 ? "" : "s", sum.failed,
              sum.failed == 1 ? "" : "s",
              sum.failed ? "" : ": ready to merge (nothing written)");
    if (!rc && sum.failed) rc = EXIT_USAGE;
  } else if (tpl && engine && (sum.done || !rc)) {
    print_merge_summary(&sum, view.mail != NULL);
    if (!rc && sum.failed) rc = EXIT_USAGE;
  }
  /* A stopped merge sends nothing; with --keep-going the letters made go. */
  if (view.mail && sending && tpl && engine && !merge_stop && !o.check &&
      (!rc || (o.keep_going && sum.done))) {
    int send_rc = send_mail(view.mail, &so);
    if (send_rc && !rc) rc = send_rc;
  }
  if (view.mail) mail_api.destroy(view.mail);
  lp_engine_free(engine);
  lp_template_free(tpl);
  free(sets);
  password_args_free(&pw);
  free(attach);
  return rc;
}

/* Prints a problem that manifest-check found. */
static void print_problem(void *ctx, const lp_error *e) {
  (void)ctx;
  print_error(e, "error");
}

/* letterpress manifest-check FILE...: exit 0 when the manifests prove the
 * batch complete, 1 when something is missing, doubled or wrong. */
static int cmd_manifest_check(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (argv[i][0] == '-' && argv[i][1])
      return usage_error("manifest-check takes manifests only, not '%s'",
                         argv[i]);
  if (!argc)
    return usage_error("%s", "manifest-check needs the manifest of every "
                       "shard, e.g. manifests/*.jsonl");
  lp_manifest_summary sum;
  lp_error err = {0};
  if (!lp_manifest_check((const char *const *)argv, (size_t)argc,
                         print_problem, NULL, &sum, &err))
    return fail(&err);
  printf("manifest-check: %zu manifest%s, %zu record%s: %zu made, %zu "
         "missing, %zu doubled, %zu failed, %zu bad file%s: %s\n",
         sum.manifests, sum.manifests == 1 ? "" : "s", sum.records,
         sum.records == 1 ? "" : "s", sum.done, sum.missing, sum.doubled,
         sum.failed, sum.bad_files, sum.bad_files == 1 ? "" : "s",
         sum.problems ? "NOT complete" : "complete, every letter once");
  return sum.problems ? EXIT_RUNTIME : 0;
}

static int cmd_fields(int argc, char **argv) {
  if (argc != 1 || argv[0][0] == '-')
    return usage_error("%s", "fields needs exactly one TEMPLATE");
  lp_error err = {0};
  lp_template *tpl = lp_template_load(argv[0], &err);
  if (!tpl) return fail(&err);
  lp_engine *engine = open_engine(&err);
  char *json = NULL;
  int rc = 0;
  if (engine && lp_template_fields(engine, tpl, &json, &err))
    fputs(json, stdout);
  else
    rc = fail(&err);
  free(json);
  lp_engine_free(engine);
  lp_template_free(tpl);
  return rc;
}

/* The commands main knows, for their --help. */
static const char *const commands[] = {"render", "sign", "timestamp",
                                       "merge", "manifest-check", "fields",
                                       "fonts"};

/* Whether line (up to its newline) is where the usage text describes or
 * shows cmd: its synopsis ("usage: letterpress CMD", "       letterpress
 * CMD") or its paragraph (a line starting "CMD ").  */
static bool usage_line_of(const char *line, const char *cmd) {
  size_t n = strlen(cmd);
  const char *syn = strstr(line, "letterpress ");
  const char *eol = strchr(line, '\n');
  if (syn && syn < eol && syn - line <= 7 && !strncmp(syn + 12, cmd, n) &&
      syn[12 + n] == ' ')
    return true;
  return !strncmp(line, cmd, n) && line[n] == ' ';
}

/* Prints cmd's part of the usage text: its synopsis lines (the first as
 * "usage: ..."), its paragraph (each with the lines indented under it),
 * then the notes on fonts and exit status that every command shares:
 * `letterpress CMD --help` answers for that command alone.  Taken from the
 * one usage text so that the two never disagree. */
static void print_command_usage(const char *cmd) {
  bool in = false, shared = false, synopsis = false, said = false;
  for (const char *line = usage; *line;) {
    const char *eol = strchr(line, '\n');
    size_t len = (size_t)(eol - line) + 1;
    bool top = line[0] != ' ' || !strncmp(line, "       letterpress ", 19);
    if (!strncmp(line, "Fonts are found", 15)) {
      shared = true;
      fputs("\n", stdout);
    }
    if (top) {
      in = usage_line_of(line, cmd);
      synopsis = in && strstr(line, "letterpress ") != NULL;
      /* The paragraph after the synopsis, apart from it. */
      if (in && said && !synopsis) fputs("\n", stdout);
      if (in && synopsis && !said) {
        fputs("usage: ", stdout);
        line += strstr(line, "letterpress ") - line;
        len = (size_t)(eol - line) + 1;
      }
      said |= in;
    }
    if (in || shared) fwrite(line, 1, len, stdout);
    line += len;
  }
}

/* Whether argv (a command's arguments) asks for help: -h or --help. */
static bool asks_help(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return true;
  return false;
}

/* `letterpress CMD --help` (or -h, or `letterpress help CMD`): prints that
 * command's usage; returns 0, or -1 when cmd is no command. */
static int command_help(const char *cmd) {
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (!strcmp(cmd, commands[i])) {
      print_command_usage(cmd);
      return 0;
    }
  return -1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    if (argc > 2 && !command_help(argv[2])) return 0;
    fputs(usage, stdout);
    return 0;
  }
  if (asks_help(argc - 2, argv + 2) && !command_help(cmd)) return 0;
  if (!strcmp(cmd, "--version")) {
    printf("letterpress %s\n", lp_version());
    return 0;
  }
  int rc = take_font_options(&argc, argv);
  if (rc) return rc;
  if (!strcmp(cmd, "render")) return cmd_render(argc - 2, argv + 2);
  if (!strcmp(cmd, "fonts")) return cmd_fonts(argc - 2, argv + 2);
  if (!strcmp(cmd, "merge")) return cmd_merge(argc - 2, argv + 2);
  if (!strcmp(cmd, "fields")) return cmd_fields(argc - 2, argv + 2);
  if (!strcmp(cmd, "manifest-check"))
    return cmd_manifest_check(argc - 2, argv + 2);
  if (!strcmp(cmd, "sign")) return cmd_sign(argc - 2, argv + 2);
  if (!strcmp(cmd, "timestamp")) return cmd_timestamp(argc - 2, argv + 2);
  return usage_error("unknown command '%s'", cmd);
}
