/* pdftags.c - writes a display's structure tree as tagged PDF (see
 * pdftags.h). */
#include "pdftags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdfobj.h"

/* A marked-content sequence: which element's content part it shows. */
typedef struct mark {
  uint32_t tag, part;
  size_t page, seq; /* seq: order of numbering, to keep it in a sort */
  int mcid;
} mark;

/* An annotation of an element: a link's. */
typedef struct annot {
  uint32_t tag;
  size_t page;
  HPDF_Dict dict;
  size_t seq; /* order of lp_pdftags_annot calls */
} annot;

struct lp_pdftags {
  const lp_display *d;
  mark *marks;
  size_t nmarks, marks_cap;
  annot *annots;
  size_t nannots, annots_cap;
  int *next_mcid; /* per page */
  uint32_t *objs; /* object numbers of the tree's objects, once written */
  size_t nobjs;
};

lp_pdftags *lp_pdftags_new(const lp_display *d) {
  lp_pdftags *pt = lp_xcalloc(1, sizeof *pt);
  pt->d = d;
  pt->next_mcid = lp_xcalloc(d->npages ? d->npages : 1, sizeof *pt->next_mcid);
  return pt;
}

void lp_pdftags_free(lp_pdftags *pt) {
  if (!pt) return;
  free(pt->marks);
  free(pt->annots);
  free(pt->next_mcid);
  free(pt->objs);
  free(pt);
}

int lp_pdftags_mark(lp_pdftags *pt, size_t page, uint32_t tag,
                    uint32_t part) {
  LP_GROW(pt->marks, pt->marks_cap, pt->nmarks + 1);
  int mcid = pt->next_mcid[page]++;
  pt->marks[pt->nmarks] = (mark){tag, part, page, pt->nmarks, mcid};
  pt->nmarks++;
  return mcid;
}

void lp_pdftags_annot(lp_pdftags *pt, size_t page, uint32_t tag,
                      HPDF_Dict annot_dict) {
  LP_GROW(pt->annots, pt->annots_cap, pt->nannots + 1);
  pt->annots[pt->nannots] = (annot){tag, page, annot_dict, pt->nannots};
  pt->nannots++;
}

/* qsort order of annotations: by element, then in the order made. */
static int by_tag(const void *a, const void *b) {
  const annot *x = a, *y = b;
  if (x->tag != y->tag) return x->tag < y->tag ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

/* qsort order of marks: by element, content part, then numbering. */
static int by_part(const void *a, const void *b) {
  const mark *x = a, *y = b;
  if (x->tag != y->tag) return x->tag < y->tag ? -1 : 1;
  if (x->part != y->part) return x->part < y->part ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

/* A Note's /ID: fixed width, so that the ids, gathered in rising order,
 * are also in the string order the /IDTree's name tree needs (7.9.6). */
#define NOTE_ID "note%010u"

/* State of one lp_pdftags_write. */
typedef struct tree {
  lp_pdftags *pt;
  HPDF_Doc pdf;
  HPDF_Page *pages;
  const lp_tags *tags;
  HPDF_Dict *elems;   /* per element id, NULL when it is left out */
  HPDF_Dict *widget;  /* per element id: the widget of a Form, or NULL */
  size_t *widget_page; /* and its page */
  HPDF_Array *page_kids; /* the parent tree's array of each page */
  int bad;            /* count of failed libharu calls */
} tree;

/* Counts a failed libharu call. */
static void check(tree *t, HPDF_STATUS st) { t->bad += st != HPDF_OK; }

/* Marks which elements have content (a mark or a widget), themselves or
 * below: only those are written (an element made while measuring, or for
 * an image that was not drawn, has none).  Children have larger ids than
 * their parents. */
static bool *used_elements(const tree *t) {
  size_t n = t->tags->count;
  bool *used = lp_xcalloc(n ? n : 1, sizeof *used);
  for (size_t i = 0; i < t->pt->nmarks; i++)
    if (t->pt->marks[i].tag < n) used[t->pt->marks[i].tag] = true;
  for (size_t i = 0; i < t->pt->nannots; i++)
    if (t->pt->annots[i].tag < n) used[t->pt->annots[i].tag] = true;
  for (size_t i = n; i-- > 1;) {
    if (t->widget[i]) used[i] = true;
    uint32_t parent = t->tags->tags[i].parent;
    if (used[i] && parent) used[parent] = true;
  }
  return used;
}

/* Finds the widgets of Form elements: the /AcroForm /Fields, in the order
 * of the display's fields. */
static void find_widgets(tree *t) {
  HPDF_Dict form =
      HPDF_Dict_GetItem(t->pdf->catalog, "AcroForm", HPDF_OCLASS_DICT);
  HPDF_Array fields =
      form ? HPDF_Dict_GetItem(form, "Fields", HPDF_OCLASS_ARRAY) : NULL;
  const lp_display *d = t->pt->d;
  size_t at = 0;
  for (size_t p = 0; p < d->npages; p++)
    for (size_t k = 0; k < d->pages[p].nfields; k++, at++) {
      uint32_t tag = d->pages[p].fields[k].tag;
      HPDF_Dict w =
          fields ? HPDF_Array_GetItem(fields, (HPDF_UINT)at, HPDF_OCLASS_DICT)
                 : NULL;
      if (tag && tag < t->tags->count && w) {
        t->widget[tag] = w;
        t->widget_page[tag] = p;
      }
    }
}

/* The dictionary of element id: /S, /Alt, /Lang and a TH's /Scope
 * attribute, a Note's /ID (its /P and /K come later).  /Type /StructElem is optional
 * (14.7.2, Table 323) and left out: a letter has hundreds of elements. */
static HPDF_Dict element_dict(tree *t, uint32_t id_of) {
  const lp_tags_elem *e = &t->tags->tags[id_of];
  HPDF_Dict el = lp_pdfobj_indirect_dict(t->pdf);
  if (!el) return NULL;
  check(t, HPDF_Dict_AddName(el, "S", e->role));
  if (e->alt)
    check(t, HPDF_Dict_Add(el, "Alt", lp_pdfobj_text_string(t->pdf, e->alt)));
  if (e->lang)
    check(t,
          HPDF_Dict_Add(el, "Lang", lp_pdfobj_text_string(t->pdf, e->lang)));
  if (!strcmp(e->role, "Note")) { /* an /ID unique in the document */
    char id[32];
    snprintf(id, sizeof id, NOTE_ID, (unsigned)id_of);
    check(t, HPDF_Dict_Add(el, "ID", HPDF_String_New(t->pdf->mmgr, id, NULL)));
  }
  if (e->scope) {
    HPDF_Dict a = HPDF_Dict_New(t->pdf->mmgr);
    if (!a) return NULL;
    check(t, HPDF_Dict_AddName(a, "O", "Table"));
    check(t, HPDF_Dict_AddName(a, "Scope", e->scope));
    check(t, HPDF_Dict_Add(el, "A", a));
  }
  return el;
}

/* Adds a marked-content reference to kids: the MCID alone when it is on
 * the element's /Pg, else an MCR dictionary naming its page. */
static void add_mcid(tree *t, HPDF_Dict el, HPDF_Array kids, const mark *m) {
  HPDF_Dict pg = HPDF_Dict_GetItem(el, "Pg", HPDF_OCLASS_DICT);
  if (!pg) {
    check(t, HPDF_Dict_Add(el, "Pg", t->pages[m->page]));
    pg = t->pages[m->page];
  }
  if (pg == t->pages[m->page]) {
    check(t, HPDF_Array_AddNumber(kids, m->mcid));
    return;
  }
  HPDF_Dict mcr = HPDF_Dict_New(t->pdf->mmgr);
  if (!mcr) {
    t->bad++;
    return;
  }
  check(t, HPDF_Dict_AddName(mcr, "Type", "MCR"));
  check(t, HPDF_Dict_Add(mcr, "Pg", t->pages[m->page]));
  check(t, HPDF_Dict_AddNumber(mcr, "MCID", m->mcid));
  check(t, HPDF_Array_Add(kids, mcr));
}

/* Adds an OBJR kid for annotation obj of page to element el's kids. */
static void add_objr(tree *t, HPDF_Dict el, HPDF_Array kids, HPDF_Dict obj,
                     size_t page) {
  HPDF_Dict objr = HPDF_Dict_New(t->pdf->mmgr);
  if (!objr) {
    t->bad++;
    return;
  }
  check(t, HPDF_Dict_AddName(objr, "Type", "OBJR"));
  check(t, HPDF_Dict_Add(objr, "Obj", obj));
  check(t, HPDF_Dict_Add(objr, "Pg", t->pages[page]));
  check(t, HPDF_Array_Add(kids, objr));
  if (!HPDF_Dict_GetItem(el, "Pg", HPDF_OCLASS_DICT))
    check(t, HPDF_Dict_Add(el, "Pg", t->pages[page]));
}

/* Fills element id's /K with its kids in reading order: child elements,
 * the MCIDs of its content parts (marks from *cursor on, sorted), a
 * widget's OBJR and its annotations' (from *acursor on, sorted by tag). */
static void element_kids(tree *t, uint32_t id, const bool *used,
                         size_t *cursor, size_t *acursor) {
  const lp_tags_elem *e = &t->tags->tags[id];
  HPDF_Dict el = t->elems[id];
  HPDF_Array kids = HPDF_Array_New(t->pdf->mmgr);
  if (!kids) {
    t->bad++;
    return;
  }
  const mark *marks = t->pt->marks;
  size_t n = t->pt->nmarks;
  while (*cursor < n && marks[*cursor].tag < id) (*cursor)++;
  for (size_t k = 0; k < e->nkids; k++) {
    uint32_t kid = e->kids[k].elem;
    if (kid) {
      if (kid < t->tags->count && used[kid])
        check(t, HPDF_Array_Add(kids, t->elems[kid]));
      continue;
    }
    for (; *cursor < n && marks[*cursor].tag == id &&
           marks[*cursor].part <= k;
         (*cursor)++) {
      const mark *m = &marks[*cursor];
      if (m->part != k) continue;
      add_mcid(t, el, kids, m);
    }
  }
  if (t->widget[id])
    add_objr(t, el, kids, t->widget[id], t->widget_page[id]);
  const annot *annots = t->pt->annots;
  size_t na = t->pt->nannots;
  while (*acursor < na && annots[*acursor].tag < id) (*acursor)++;
  for (; *acursor < na && annots[*acursor].tag == id; (*acursor)++)
    add_objr(t, el, kids, annots[*acursor].dict, annots[*acursor].page);
  check(t, HPDF_Dict_Add(el, "K", kids));
}

/* Fills each page's parent-tree array: the element of each MCID, in MCID
 * order (the marks' numbering order, before they were sorted: seq). */
static void fill_page_kids(tree *t) {
  size_t n = t->pt->nmarks;
  const mark **by_seq = lp_xcalloc(n ? n : 1, sizeof *by_seq);
  for (size_t i = 0; i < n; i++) by_seq[t->pt->marks[i].seq] = &t->pt->marks[i];
  for (size_t i = 0; i < n; i++)
    check(t, HPDF_Array_Add(t->page_kids[by_seq[i]->page],
                            t->elems[by_seq[i]->tag]));
  free(by_seq);
}

/* The parent tree (a number tree with one /Nums array: 14.7.4.4): page
 * i's key is i, holding the element of each of its MCIDs; widgets follow,
 * each key holding its Form element, then link annotations (their Link).
 * Sets the pages' /StructParents and the annotations' /StructParent;
 * returns the next free key. */
static HPDF_Array parent_tree_nums(tree *t, const bool *used, size_t *next) {
  HPDF_Array nums = HPDF_Array_New(t->pdf->mmgr);
  if (!nums) return NULL;
  const lp_display *d = t->pt->d;
  for (size_t p = 0; p < d->npages; p++) {
    check(t, HPDF_Array_AddNumber(nums, (HPDF_INT32)p));
    check(t, HPDF_Array_Add(nums, t->page_kids[p]));
    check(t, HPDF_Dict_AddNumber(t->pages[p], "StructParents", (HPDF_INT32)p));
    check(t, HPDF_Dict_AddName(t->pages[p], "Tabs", "S"));
  }
  size_t key = d->npages;
  for (size_t id = 1; id < t->tags->count; id++) {
    if (!t->widget[id] || !used[id]) continue;
    check(t, HPDF_Array_AddNumber(nums, (HPDF_INT32)key));
    check(t, HPDF_Array_Add(nums, t->elems[id]));
    check(t, HPDF_Dict_AddNumber(t->widget[id], "StructParent",
                                 (HPDF_INT32)key));
    key++;
  }
  for (size_t k = 0; k < t->pt->nannots; k++) {
    const annot *a = &t->pt->annots[k];
    if (a->tag >= t->tags->count || !used[a->tag]) continue;
    check(t, HPDF_Array_AddNumber(nums, (HPDF_INT32)key));
    check(t, HPDF_Array_Add(nums, t->elems[a->tag]));
    check(t, HPDF_Dict_AddNumber(a->dict, "StructParent", (HPDF_INT32)key));
    key++;
  }
  *next = key;
  return nums;
}

/* The object number libharu gave an indirect object. */
static uint32_t object_number(HPDF_Dict o) {
  return o->header.obj_id & 0x00FFFFFF;
}

/* Records the object numbers of the root, the Document and the elements
 * written, in that order. */
static void note_objects(tree *t, HPDF_Dict root, HPDF_Dict doc) {
  lp_pdftags *pt = t->pt;
  size_t n = t->tags->count ? t->tags->count : 1;
  pt->objs = lp_xcalloc(n + 2, sizeof *pt->objs);
  pt->objs[pt->nobjs++] = object_number(root);
  pt->objs[pt->nobjs++] = object_number(doc);
  for (size_t id = 1; id < t->tags->count; id++)
    if (t->elems[id]) pt->objs[pt->nobjs++] = object_number(t->elems[id]);
}

const uint32_t *lp_pdftags_objects(const lp_pdftags *pt, size_t *n) {
  *n = pt->nobjs;
  return pt->objs;
}

/* The structure tree root's /IDTree (14.7.2: it maps each element's /ID
 * to the element): a name tree of one /Names array, in key order; NULL
 * when no element has an /ID. */
static HPDF_Dict id_tree(tree *t, const bool *used) {
  uint32_t *ids = lp_xcalloc(t->tags->count + 1, sizeof *ids);
  size_t n = 0;
  for (uint32_t id = 1; id < t->tags->count; id++)
    if (used[id] && !strcmp(t->tags->tags[id].role, "Note")) ids[n++] = id;
  HPDF_Dict tree_dict = n ? HPDF_Dict_New(t->pdf->mmgr) : NULL;
  HPDF_Array names = n ? HPDF_Array_New(t->pdf->mmgr) : NULL;
  if (n && (!tree_dict || !names)) t->bad++;
  if (n && tree_dict && names) {
    for (size_t k = 0; k < n; k++) {
      char key[32];
      snprintf(key, sizeof key, NOTE_ID, (unsigned)ids[k]);
      check(t, HPDF_Array_Add(names, HPDF_String_New(t->pdf->mmgr, key, NULL)));
      check(t, HPDF_Array_Add(names, t->elems[ids[k]]));
    }
    check(t, HPDF_Dict_Add(tree_dict, "Names", names));
  }
  free(ids);
  return names ? tree_dict : NULL;
}

/* Frees the arrays of a tree. */
static void tree_free(tree *t) {
  free(t->elems);
  free(t->widget);
  free(t->widget_page);
  free(t->page_kids);
}

bool lp_pdftags_write(lp_pdftags *pt, HPDF_Doc pdf, HPDF_Page *pages,
                      lp_error *err) {
  const lp_display *d = pt->d;
  size_t n = d->tags.count ? d->tags.count : 1;
  tree t = {pt, pdf, pages, &d->tags, lp_xcalloc(n, sizeof(HPDF_Dict)),
            lp_xcalloc(n, sizeof(HPDF_Dict)), lp_xcalloc(n, sizeof(size_t)),
            lp_xcalloc(d->npages, sizeof(HPDF_Array)), 0};
  if (pt->nmarks)
    qsort(pt->marks, pt->nmarks, sizeof *pt->marks, by_part);
  if (pt->nannots)
    qsort(pt->annots, pt->nannots, sizeof *pt->annots, by_tag);
  find_widgets(&t);
  bool *used = used_elements(&t);
  HPDF_Dict root = lp_pdfobj_indirect_dict(pdf);
  HPDF_Dict doc = lp_pdfobj_indirect_dict(pdf);
  HPDF_Array top = HPDF_Array_New(pdf->mmgr);
  t.bad += !root || !doc || !top;
  for (size_t p = 0; p < d->npages && !t.bad; p++)
    t.bad += !(t.page_kids[p] = HPDF_Array_New(pdf->mmgr));
  for (uint32_t id = 1; id < d->tags.count && !t.bad; id++)
    if (used[id]) t.bad += !(t.elems[id] = element_dict(&t, id));
  /* Parents, and the top-level elements (the letters' Sects) under the
   * Document, in order. */
  for (uint32_t id = 1; id < d->tags.count && !t.bad; id++) {
    if (!used[id]) continue;
    uint32_t parent = d->tags.tags[id].parent;
    check(&t, HPDF_Dict_Add(t.elems[id], "P", parent ? t.elems[parent] : doc));
    if (!parent) check(&t, HPDF_Array_Add(top, t.elems[id]));
  }
  size_t cursor = 0, acursor = 0;
  for (uint32_t id = 1; id < d->tags.count && !t.bad; id++)
    if (used[id]) element_kids(&t, id, used, &cursor, &acursor);
  if (!t.bad) fill_page_kids(&t);
  size_t next = 0;
  HPDF_Array nums = t.bad ? NULL : parent_tree_nums(&t, used, &next);
  HPDF_Dict ptree = HPDF_Dict_New(pdf->mmgr), mark_info = HPDF_Dict_New(pdf->mmgr);
  if (!t.bad && nums && ptree && mark_info) {
    check(&t, HPDF_Dict_AddName(doc, "Type", "StructElem"));
    check(&t, HPDF_Dict_AddName(doc, "S", "Document"));
    check(&t, HPDF_Dict_Add(doc, "P", root));
    check(&t, HPDF_Dict_Add(doc, "K", top));
    check(&t, HPDF_Dict_Add(ptree, "Nums", nums));
    check(&t, HPDF_Dict_AddName(root, "Type", "StructTreeRoot"));
    check(&t, HPDF_Dict_Add(root, "K", doc));
    check(&t, HPDF_Dict_Add(root, "ParentTree", ptree));
    check(&t, HPDF_Dict_AddNumber(root, "ParentTreeNextKey", (HPDF_INT32)next));
    HPDF_Dict ids = id_tree(&t, used);
    if (ids) check(&t, HPDF_Dict_Add(root, "IDTree", ids));
    check(&t, HPDF_Dict_AddBoolean(mark_info, "Marked", HPDF_TRUE));
    check(&t, HPDF_Dict_Add(pdf->catalog, "MarkInfo", mark_info));
    check(&t, HPDF_Dict_Add(pdf->catalog, "StructTreeRoot", root));
    if (!t.bad) note_objects(&t, root, doc);
  } else {
    t.bad++;
  }
  free(used);
  tree_free(&t);
  if (t.bad)
    return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: could not write the structure tree");
  return true;
}
