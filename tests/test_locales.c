/* test_locales.c - the conventions of each locale: tags normalized and
 * checked, Han forms and fontconfig names, footers, signature and seal
 * words, and the halves of a Chinese letter's closing. */
#include <string.h>

#include "check.h"
#include "locales.h"

/* The normalized form of tag ("" when it does not fit). */
static const char *norm(const char *tag) {
  static char out[64];
  if (!lp_locales_normalize(tag, out, sizeof out)) out[0] = '\0';
  return out;
}

/* Whether tag passes the check; the reason goes into why. */
static bool ok(const char *tag, char *why, size_t cap) {
  why[0] = '\0';
  return lp_locales_check(norm(tag), why, cap);
}

static void test_normalize(void) {
  CHECK_STR(norm("zh_TW"), "zh-TW");
  CHECK_STR(norm("zh_tw"), "zh-TW");
  CHECK_STR(norm("ZH-hant-hk"), "zh-Hant-HK");
  CHECK_STR(norm("ja_JP"), "ja-JP");
  CHECK_STR(norm("en"), "en");
  CHECK_STR(norm("es-419"), "es-419");
  CHECK_STR(norm("de-CH-1996"), "de-CH-1996");
  CHECK_STR(norm("en-x-ab"), "en-x-ab"); /* private use stays lower case */
  char small[4];
  CHECK(!lp_locales_normalize("zh-TW", small, sizeof small));
}

static void test_check(void) {
  char why[200];
  const char *good[] = {"zh-CN", "zh_TW", "zh-HK", "zh-Hant", "zh-Hant-HK",
                        "zh-Hans", "zh-MO", "ja", "ja-JP", "ko", "ko_KR",
                        "en-US", "de", "fr-CA", "es-419", "yue"};
  for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
    bool passed = ok(good[k], why, sizeof why);
    CHECK(passed);
    if (!passed) fprintf(stderr, "  %s: %s\n", good[k], why);
  }
  /* Country codes taken for languages name the language meant. */
  CHECK(!ok("jp", why, sizeof why) && strstr(why, "'ja'"));
  CHECK(!ok("kr", why, sizeof why) && strstr(why, "'ko'"));
  CHECK(!ok("jp-JP", why, sizeof why) && strstr(why, "'ja'"));
  CHECK(!ok("cn", why, sizeof why) && strstr(why, "'zh-CN'"));
  CHECK(!ok("tw", why, sizeof why) && strstr(why, "'zh-TW'"));
  /* Unknown languages, regions, and what is no tag at all. */
  CHECK(!ok("xx", why, sizeof why) && strstr(why, "ISO 639"));
  CHECK(!ok("qq-TW", why, sizeof why) && strstr(why, "ISO 639"));
  CHECK(!ok("zh-XQ", why, sizeof why) && strstr(why, "ISO 3166"));
  CHECK(!ok("中文", why, sizeof why) && strstr(why, "not a language tag"));
  CHECK(!ok("zh-TW-", why, sizeof why));
  CHECK(!ok("zh--TW", why, sizeof why));
  CHECK(!ok("", why, sizeof why));
  CHECK(!ok("z", why, sizeof why));
}

static void test_han_forms(void) {
  CHECK(lp_locales_han_forms("zh") == LP_HAN_SC);
  CHECK(lp_locales_han_forms("zh-CN") == LP_HAN_SC);
  CHECK(lp_locales_han_forms("zh-SG") == LP_HAN_SC);
  CHECK(lp_locales_han_forms("zh-Hans") == LP_HAN_SC);
  CHECK(lp_locales_han_forms("zh-Hans-HK") == LP_HAN_SC);
  CHECK(lp_locales_han_forms("zh-TW") == LP_HAN_TC);
  CHECK(lp_locales_han_forms("zh_TW") == LP_HAN_TC);
  CHECK(lp_locales_han_forms("zh-MO") == LP_HAN_TC);
  CHECK(lp_locales_han_forms("zh-Hant") == LP_HAN_TC);
  CHECK(lp_locales_han_forms("zh-Hant-TW") == LP_HAN_TC);
  CHECK(lp_locales_han_forms("zh-HK") == LP_HAN_HK);
  CHECK(lp_locales_han_forms("zh-Hant-HK") == LP_HAN_HK);
  CHECK(lp_locales_han_forms("ja-JP") == LP_HAN_JP);
  CHECK(lp_locales_han_forms("ko") == LP_HAN_KR);
  CHECK(lp_locales_han_forms("en") == LP_HAN_NONE);
  CHECK(lp_locales_han_forms(NULL) == LP_HAN_NONE);
  CHECK(lp_locales_traditional("zh-Hant"));
  CHECK(lp_locales_traditional("zh-HK"));
  CHECK(!lp_locales_traditional("zh-CN"));
  CHECK(!lp_locales_traditional("ja"));
}

static void test_fc_lang(void) {
  char b[16];
  CHECK_STR(lp_locales_fc_lang("zh-Hant", b, sizeof b), "zh-tw");
  CHECK_STR(lp_locales_fc_lang("zh-Hant-HK", b, sizeof b), "zh-hk");
  CHECK_STR(lp_locales_fc_lang("zh-Hant-MO", b, sizeof b), "zh-mo");
  CHECK_STR(lp_locales_fc_lang("zh-Hans", b, sizeof b), "zh-cn");
  CHECK_STR(lp_locales_fc_lang("zh-Hans-SG", b, sizeof b), "zh-sg");
  CHECK_STR(lp_locales_fc_lang("zh", b, sizeof b), "zh-cn");
  CHECK_STR(lp_locales_fc_lang("ja-JP", b, sizeof b), "ja");
  CHECK_STR(lp_locales_fc_lang("ko-KR", b, sizeof b), "ko");
  CHECK_STR(lp_locales_fc_lang("en-US", b, sizeof b), "en-us");
  CHECK_STR(lp_locales_fc_lang("sr-Latn-RS", b, sizeof b), "sr-rs");
  CHECK_STR(lp_locales_fc_lang("es-419", b, sizeof b), "es");
  CHECK_STR(lp_locales_fc_lang(NULL, b, sizeof b), "en");
}

static void test_footer(void) {
  CHECK_STR(lp_locales_footer("zh-CN"), "第 {page} 页 共 {pages} 页");
  CHECK_STR(lp_locales_footer("zh"), "第 {page} 页 共 {pages} 页");
  const char *trad[] = {"zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh-Hant-HK",
                        "zh_TW"};
  for (size_t k = 0; k < sizeof trad / sizeof trad[0]; k++)
    CHECK_STR(lp_locales_footer(trad[k]), "第 {page} 頁 共 {pages} 頁");
  CHECK_STR(lp_locales_footer("ja"), "{page} / {pages} ページ");
  CHECK_STR(lp_locales_footer("ko-KR"), "{page} / {pages}");
  CHECK_STR(lp_locales_footer("en-US"), "Page {page} of {pages}");
}

static void test_signature_words(void) {
  const char *yes[] = {
      "签名", "客户签字", "承诺单位（盖章）", "签章", "签署", "收件人签收",
      "簽名", "簽字", "簽章", "蓋章", "立書人（簽章）", "負責人簽名蓋章",
      "署名", "記名押印", "押印", "捺印", "署名捺印", "ご署名", "自署",
      "서명", "서명 또는 날인", "날인", "기명날인", "Signature",
      "Customer signature", "Signed by", "Signature of the buyer"};
  for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++) {
    bool sig = lp_locales_signature_label(yes[k]);
    CHECK(sig);
    if (!sig) fprintf(stderr, "  not a signature label: %s\n", yes[k]);
  }
  const char *no[] = {"签名日期", "簽署日期", "日付", "日期", "성명",
                      "Date signed", "Name", "氏名", "住所"};
  for (size_t k = 0; k < sizeof no / sizeof no[0]; k++) {
    bool sig = lp_locales_signature_label(no[k]);
    CHECK(!sig);
    if (sig) fprintf(stderr, "  a signature label: %s\n", no[k]);
  }
}

/* Whether the closing word test holds for s. */
static bool word(const char *s) { return lp_locales_closing_word(s, strlen(s)); }
static bool pair(const char *s) { return lp_locales_closing_pair(s, strlen(s)); }

static void test_closings(void) {
  CHECK(word("敬礼"));
  CHECK(word("敬礼！"));
  CHECK(word("敬禮！"));
  CHECK(word("商祺"));
  CHECK(word("商祺！"));
  CHECK(word("時祺"));
  CHECK(word("安好！"));
  CHECK(word("　敬禮。"));
  CHECK(!word("敬礼的方式"));
  CHECK(!word("此致"));
  CHECK(!word("敬礼\n商祺"));
  CHECK(!word(""));
  CHECK(pair("此致\n敬礼！"));
  CHECK(pair("此致\n敬禮！"));
  CHECK(pair("順頌\n商祺"));
  CHECK(pair("顺颂\n时祺"));
  CHECK(pair("祝\n安好！"));
  CHECK(pair("敬祝\n商祺"));
  CHECK(!pair("此致敬礼"));
  CHECK(!pair("地址：北京\n敬礼"));
  CHECK(!pair("此致\n敬礼\n张三"));
}

/* Whether the 頭語 test holds for s in lang. */
static bool opening(const char *lang, const char *s) {
  return lp_locales_opening_word(lang, s, strlen(s));
}

static void test_openings(void) {
  CHECK(opening("ja", "拝啓　時下ますますご清栄のこととお慶び申し上げます。"));
  CHECK(opening("ja-JP", "謹啓 貴社ますますご隆盛のことと存じます。"));
  CHECK(opening("ja", "前略"));
  CHECK(!opening("ja", "拝啓時下ますます"));   /* not the word alone */
  CHECK(!opening("ja", "さて、下記のとおり"));
  CHECK(!opening("zh-TW", "拝啓　時下"));       /* Japanese only */
}

/* Whether s, a whole paragraph of lang, is a closing set flush right. */
static bool closing_right(const char *lang, const char *s) {
  return lp_locales_closing_right(lang, s, strlen(s));
}

static void test_closings_right(void) {
  CHECK(closing_right("ja", "敬具"));
  CHECK(closing_right("ja-JP", "草々"));
  CHECK(closing_right("ja", "謹言"));
  CHECK(closing_right("ja", "以上"));
  CHECK(closing_right("ja", "敬具　")); /* a space typed after it */
  CHECK(!closing_right("ja", "敬具とは結語です。")); /* not alone */
  CHECK(!closing_right("ja", "以上のとおり"));
  CHECK(!closing_right("ja", "敬具\n以上"));
  CHECK(!closing_right("zh-CN", "以上")); /* Japanese only */
  CHECK(!closing_right("en", "敬具"));
}

int main(void) {
  test_normalize();
  test_check();
  test_han_forms();
  test_fc_lang();
  test_footer();
  test_signature_words();
  test_closings();
  test_openings();
  test_closings_right();
  return CHECK_DONE();
}
