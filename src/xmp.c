/* xmp.c - the XMP metadata packet (see xmp.h). */
#include "xmp.h"

#include <stdio.h>
#include <string.h>

#include "pdfobj.h"

/* Appends s with the XML special characters escaped (& < > " '). */
static void put_escaped(lp_buf *b, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '&': lp_buf_puts(b, "&amp;"); break;
    case '<': lp_buf_puts(b, "&lt;"); break;
    case '>': lp_buf_puts(b, "&gt;"); break;
    case '"': lp_buf_puts(b, "&quot;"); break;
    case '\'': lp_buf_puts(b, "&apos;"); break;
    default: lp_buf_append(b, s, 1);
    }
  }
}

/* Appends <tag>escaped value</tag> on a line of its own. */
static void put_simple(lp_buf *b, const char *tag, const char *value) {
  lp_buf_printf(b, "   <%s>", tag);
  put_escaped(b, value);
  lp_buf_printf(b, "</%s>\n", tag);
}

/* Appends an XMP array property (rdf:Alt, rdf:Seq or rdf:Bag) of one
 * item; an Alt's item is the x-default language alternative. */
static void put_array(lp_buf *b, const char *tag, const char *kind,
                      const char *value) {
  lp_buf_printf(b, "   <%s><rdf:%s><rdf:li%s>", tag, kind,
                strcmp(kind, "Alt") ? "" : " xml:lang=\"x-default\"");
  put_escaped(b, value);
  lp_buf_printf(b, "</rdf:li></rdf:%s></%s>\n", kind, tag);
}

/* The pdfaExtension schema that PDF/A-2 asks for a property outside its
 * predefined schemas (19005-2 6.6.2.3.2): pdfuaid:part. */
static const char ua_extension[] =
    "   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n"
    "    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema"
    "</pdfaSchema:schema>\n"
    "    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/"
    "</pdfaSchema:namespaceURI>\n"
    "    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n"
    "    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n"
    "     <pdfaProperty:name>part</pdfaProperty:name>\n"
    "     <pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n"
    "     <pdfaProperty:category>internal</pdfaProperty:category>\n"
    "     <pdfaProperty:description>Indicates, which part of ISO 14289 "
    "standard is followed</pdfaProperty:description>\n"
    "    </rdf:li></rdf:Seq></pdfaSchema:property>\n"
    "   </rdf:li></rdf:Bag></pdfaExtension:schemas>\n";

/* Formats epoch as an XMP date, "YYYY-MM-DDTHH:MM:SS+00:00": the same
 * instant as the Info dictionary's D:YYYYMMDDHHmmSS+00'00'. */
static bool xmp_date(long long epoch, char out[32]) {
  char pdf[32];
  if (!lp_pdfobj_date_string(epoch, pdf)) return false;
  const char *d = pdf + 2; /* after "D:" */
  snprintf(out, 32, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s+00:00", d, d + 4, d + 6,
           d + 8, d + 10, d + 12);
  return true;
}

bool lp_xmp_write(const lp_dmeta *m, lp_buf *out) {
  char date[32];
  if (!xmp_date(m->date, date)) return false;
  /* The packet header's id is the fixed value XMP prescribes. */
  lp_buf_puts(out,
              "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
              "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
              " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
              "  <rdf:Description rdf:about=\"\"\n"
              "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
              "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
              "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
              "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n"
              "    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"\n"
              "    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n"
              "    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n"
              "    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n");
  lp_buf_puts(out, "   <dc:format>application/pdf</dc:format>\n");
  if (m->title) put_array(out, "dc:title", "Alt", m->title);
  if (m->author) put_array(out, "dc:creator", "Seq", m->author);
  if (m->subject) put_array(out, "dc:description", "Alt", m->subject);
  if (m->lang && *m->lang) put_array(out, "dc:language", "Bag", m->lang);
  put_simple(out, "xmp:CreateDate", date);
  put_simple(out, "xmp:ModifyDate", date);
  put_simple(out, "xmp:MetadataDate", date);
  if (m->creator) {
    put_simple(out, "xmp:CreatorTool", m->creator);
    put_simple(out, "pdf:Producer", m->creator);
  }
  if (m->keywords) put_simple(out, "pdf:Keywords", m->keywords);
  if (m->pdfa_part) {
    lp_buf_printf(out, "   <pdfaid:part>%d</pdfaid:part>\n", m->pdfa_part);
    lp_buf_printf(out, "   <pdfaid:conformance>%c</pdfaid:conformance>\n",
                  m->pdfa_level - 'a' + 'A');
  }
  if (m->pdfua) {
    lp_buf_puts(out, "   <pdfuaid:part>1</pdfuaid:part>\n");
    if (m->pdfa_part) lp_buf_puts(out, ua_extension);
  }
  lp_buf_puts(out, "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
                   "<?xpacket end=\"w\"?>");
  return true;
}
