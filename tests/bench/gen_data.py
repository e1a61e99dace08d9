#!/usr/bin/env python3
"""Writes N records of data for templates/commitment-letter.md as CSV (header
row, dotted names), with names, ids and regions that vary per record the way
a real customer list does (so each letter has some glyphs of its own).

    python3 tests/bench/gen_data.py 1000 > records.csv
"""
import csv
import random
import sys

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国红梅玉兰志强春梅海燕雪梅欣怡子涵浩然宇轩梓萱一诺思远博文雨桐嘉怡俊杰"
CITIES = ["新加坡", "吉隆坡", "曼谷", "雅加达", "胡志明市", "马尼拉", "仰光", "金边", "槟城", "泗水"]
COMPANY_SUFFIX = ["贸易有限公司", "检测私人有限公司", "精密制造有限公司", "科技股份有限公司", "实验室服务有限公司"]

FIELDS = ["company", "contract_no", "date", "effective_date", "warranty_months", "arbitration",
          "service.name", "customer.name", "customer.id", "customer.region", "customer.language",
          "account_manager.name", "account_manager.phone", "account_manager.email"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rnd = random.Random(20240817)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(FIELDS)
    for i in range(1, n + 1):
        city = rnd.choice(CITIES)
        person = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(2))
        w.writerow([
            "华东精密仪器股份有限公司", "HD-EX-2024-%05d" % i, "2024年9月%d日" % rnd.randint(1, 28),
            "2024年10月1日", str(rnd.choice([12, 18, 24, 36])), "中国国际经济贸易仲裁委员会",
            "实验室分析设备供货及售后",
            city + rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(COMPANY_SUFFIX),
            "C-%06d" % i, city + "及周边地区", rnd.choice(["马来语", "泰语", "英语", "印尼语"]),
            person, "+86-21-5555-%04d" % rnd.randint(0, 9999), "am%04d@example.com" % i,
        ])


if __name__ == "__main__":
    main()
