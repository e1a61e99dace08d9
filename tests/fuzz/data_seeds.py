#!/usr/bin/env python3
"""Writes seeds for fuzz_data into DIR: data as spreadsheets save it, in
every encoding and with every delimiter the readers know (see
tests/fuzz/fuzz_data.c for how each is read)."""
import os
import sys

CSV = "姓名,金额,部门,VIP\r\n张三,\"1,250.00\",财务部,TRUE\r\n李四,3000,人事部,False\r\n"
JA = "氏名,金額\r\n山田太郎,\"1,000\"\r\n鈴木花子,2000\r\n"
KO = "이름,금액\r\n김철수,1000\r\n"
ZH_TW = "姓名,金額\r\n陳大文,1000\r\n"


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    seeds = {
        "gb18030.csv": CSV.encode("gb18030"),
        "shift_jis.csv": JA.encode("cp932"),
        "big5.csv": ZH_TW.encode("big5"),
        "euc-kr.csv": KO.encode("cp949"),
        "utf16le-bom.txt": CSV.replace(",", "\t").encode("utf-16"),
        "utf16be-bom.csv": b"\xfe\xff" + CSV.encode("utf-16-be"),
        "utf8-bom.csv": "\ufeff".encode() + CSV.encode(),
        "utf8-bom.json": "\ufeff{\"姓名\": \"张三\", \"金额\": 12.50}".encode(),
        "numbers.json": b'[{"a": 12.50, "b": [1e3, {"c": 1000.0}], "d": -0.10}]',
        "numbers.jsonl": b'{"a": 1.0}\n{"a": 2E+2, "s": "1.5"}\n',
        "semicolon.csv": b"name;amount;vip\r\nA;1.250,50;FALSE\r\nB;\"3;4\";TRUE\r\n",
        "tab.tsv": b"name\tamount\r\nA\t1,5\r\n",
        "stray-columns.csv": b"name,amount,,\r\nA,1,,\r\nB,2\r\n",
        "spaces.csv": b"Customer Name,amount\r\nHan Meimei,1\r\n",
        "header-only.csv": b"name,amount\r\n",
        "not-utf8.csv": "name\r\n张三\r\n".encode("gb18030"),
    }
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
