/* test_sign.c - the words of a signature's appearance by language
 * (sign.c lp_sign_labels_for). */
#include <string.h>

#include "check.h"
#include "sign.h"

int main(void) {
  lp_sign_labels zh = lp_sign_labels_for("zh-CN");
  CHECK_STR(zh.signer, "签署人：");
  CHECK_STR(zh.date, "日期：");
  CHECK_STR(zh.reason, "原因：");
  CHECK_STR(lp_sign_labels_for("zh").signer, "签署人：");
  CHECK_STR(lp_sign_labels_for("zh-Hans-CN").signer, "签署人：");
  /* Traditional script for Taiwan, Hong Kong, Macao and zh-Hant. */
  CHECK_STR(lp_sign_labels_for("zh-TW").signer, "簽署人：");
  CHECK_STR(lp_sign_labels_for("zh-Hant-HK").signer, "簽署人：");
  CHECK_STR(lp_sign_labels_for("ja-JP").date, "日付：");
  CHECK_STR(lp_sign_labels_for("ko").reason, "사유: ");
  /* English, and anything unknown or missing. */
  CHECK_STR(lp_sign_labels_for("en-US").date, "Signed ");
  CHECK_STR(lp_sign_labels_for(NULL).date, "Signed ");
  CHECK_STR(lp_sign_labels_for("zhx").date, "Signed ");
  CHECK_STR(lp_sign_labels_for("").signer, "");
  return CHECK_DONE();
}
