"""Registration-number formats of countries in Asia, Africa, the Americas and Oceania.

Same notation as :mod:`synthcert.text.plates` (:class:`~synthcert.text.plate_format.PlateFormat`: ``L`` a
letter, ``D`` a digit, ``N`` a digit 1-9, other symbols defined per country; spaces, hyphens, dots, middle
dots and slashes literal). Each entry names its source: the English Wikipedia article "Vehicle registration
plates of <country>" as of 2024, which documents the current private-car series. Where a country prints
its numbers in a non-Latin script (Egypt, Japan, Korea, Thailand), that script is drawn: a template for those
countries needs a font that covers it (see fonts/README.md). No randomness at import.
"""

from __future__ import annotations

import string

from synthcert.text.plate_format import PlateFormat, letters

_TWO = tuple(f"{k:02d}" for k in range(1, 100))  # "01" .. "99"

WORLD_FORMATS: dict[str, PlateFormat] = {
    # India (Wikipedia: Vehicle registration plates of India): state, 2-digit RTO district, 0-3 series
    # letters, 4 digits, "MH 12 AB 1234", printed with or without spaces; Delhi adds a category letter
    # ("DL 3C AB 1234"); the Bharat series is "22 BH 1234 AA".
    "IN": PlateFormat(
        (("S T LL NDDD", 4.0), ("S T L NDDD", 2.0), ("STLLNDDD", 3.0), ("S-T-LL-NDDD", 0.5),
         ("X NC LL NDDD", 0.5), ("XNCLLNDDD", 0.5), ("Y B NDDD LL", 0.3)),
        {"S": tuple("AN AP AR AS BR CG CH DD GA GJ HP HR JH JK KA KL LA LD MH ML MN MP MZ NL OD PB PY RJ SK TN "
                    "TR TS UK UP WB".split()),
         "T": _TWO, "X": ("DL",), "C": tuple("CSEPRTVY"), "Y": tuple(str(y) for y in range(21, 26)), "B": ("BH",)},
    ),
    # Indonesia (Vehicle registration plates of Indonesia): region code, 1-4 digits, 0-3 letters: "B 1234 ABC".
    "ID": PlateFormat(
        (("R NDDD LLL", 3.0), ("R NDDD LL", 3.0), ("R NDD LL", 1.0), ("R NDDD L", 1.0), ("R ND LLL", 0.5)),
        {"R": tuple("A B D E F G H K L M N P R S T W Z AA AB AD AE AG BA BB BD BE BG BH BK BL BM BN BP DA DB DC "
                    "DD DE DG DH DK DL DM DN DR DT EA EB ED KB KH KT KU PA PB".split())},
    ),
    # Côte d'Ivoire (Vehicle registration plates of Ivory Coast): 4 digits, 2 letters, region code: "1234 AB 01".
    "CI": PlateFormat((("NDDD LL R", 1.0),), {"R": _TWO[:30]}),
    # Nigeria (Vehicle registration plates of Nigeria): local government code, 3 digits, 2 letters: "ABC 123 XY".
    "NG": PlateFormat((("LLL DDD LL", 3.0), ("LLL-DDD-LL", 1.0), ("LLLDDDLL", 1.0))),
    # Kenya (Vehicle registration plates of Kenya): "KAA 123A", the series now at KD..
    "KE": PlateFormat((("KLL DDDL", 3.0), ("KLL DDD L", 1.0)), {"K": ("K",), "L": letters("IOQ")}),
    # South Africa (Vehicle registration plates of South Africa): per province, e.g. Gauteng "AB 12 CD GP",
    # Western Cape "CA 123-456", KwaZulu-Natal "ND 123-456", the others "ABC 123 MP".
    "ZA": PlateFormat(
        (("LL DD LL G", 4.0), ("W DDD-DDD", 2.0), ("W DDDDD", 1.0), ("K DDD-DDD", 1.0), ("LLL DDD P", 2.0)),
        {"G": ("GP",), "W": tuple("CA CY CF CJ CL CAW".split()), "K": tuple("ND NU NP NX".split()),
         "P": tuple("MP NW FS EC NC L".split()), "L": letters("AEIOUQ")},
    ),
    # Morocco (Vehicle registration plates of Morocco): serial, Arabic letter, prefecture: "12345-B-6"; the
    # letter is written with its usual Latin transliteration, as on many documents.
    "MA": PlateFormat((("NDDDD-A-P", 3.0), ("NDDD-A-P", 1.0)),
                      {"A": tuple("ABDHEW"), "P": tuple(str(k) for k in range(1, 90))}),
    # Egypt (Vehicle registration plates of Egypt): 3-4 Eastern Arabic digits and 2-3 Arabic letters, written
    # in the order they appear left to right, letters apart: "٤٦٥٨ ر س ط".
    "EG": PlateFormat((("EEEE A A A", 3.0), ("EEE A A A", 2.0), ("EEEE A A", 1.0)),
                      {"E": tuple("٠١٢٣٤٥٦٧٨٩"), "A": tuple("أبجدرسصطعفقلمنهوى")}),
    # Turkey (Vehicle registration plates of Turkey): province 01-81, 1-3 letters, 2-5 digits: "34 ABC 123".
    "TR": PlateFormat(
        (("P L NDDD", 1.0), ("P L NDDDD", 1.0), ("P LL NDD", 1.0), ("P LL NDDD", 2.0), ("P LLL ND", 1.0),
         ("P LLL NDD", 2.0)),
        {"P": _TWO[:81], "L": letters("QWX")},
    ),
    # Brazil (Vehicle registration plates of Brazil): Mercosur "ABC1D23" since 2018, before that "ABC-1234".
    "BR": PlateFormat((("LLLDLDD", 3.0), ("LLL-DDDD", 2.0), ("LLL DDDD", 0.5))),
    # Mexico (Vehicle registration plates of Mexico): per state, mostly "ABC-123-D" and "ABC-12-34".
    "MX": PlateFormat((("LLL-DDD-L", 2.0), ("LLL-DD-DD", 2.0), ("LLL-DDDD", 1.0), ("LL-DDDD-L", 0.5))),
    # Argentina (Vehicle registration plates of Argentina): Mercosur "AB 123 CD" since 2016, "ABC 123" before.
    "AR": PlateFormat((("LL DDD LL", 2.0), ("LLDDDLL", 1.0), ("LLL DDD", 2.0), ("LLLDDD", 0.5))),
    # United States (Vehicle registration plates of the United States): per state; the common private-car
    # layouts "ABC 1234" (New York, Texas, Pennsylvania), "1ABC234" (California), "ABC-1234", "123 ABC".
    "US": PlateFormat((("LLL DDDD", 3.0), ("NLLLDDD", 2.0), ("LLL-DDDD", 2.0), ("DDD LLL", 1.0), ("LLLDDDD", 1.0),
                       ("LLL DDD", 1.0))),
    # Canada (Vehicle registration plates of Canada): Ontario "ABCD 123", Alberta "ABC-1234", Quebec
    # "A12 BCD", British Columbia "AB1 23C", older "ABC 123".
    "CA": PlateFormat((("LLLL DDD", 3.0), ("LLL-DDDD", 2.0), ("LDD LLL", 1.0), ("LLD DDL", 1.0), ("LLL DDD", 1.0))),
    # Japan (Vehicle registration plates of Japan): office, class number, kana, serial: "品川 500 さ 12-34".
    "JP": PlateFormat(
        (("R CCC K DD-DD", 3.0), ("R CC K DD-DD", 1.0)),
        {"R": tuple("品川 練馬 足立 多摩 横浜 川崎 大宮 千葉 名古屋 大阪 神戸 京都 札幌 福岡 仙台 広島".split()),
         "C": tuple(string.digits), "K": tuple("さすせそたちつてとなにぬねのはひふほまみむめもやゆよらりるろ")},
    ),
    # South Korea (Vehicle registration plates of South Korea): "12가 3456" and, since 2019, "123가 4567".
    "KR": PlateFormat((("DDH DDDD", 2.0), ("DDDH DDDD", 1.0)),
                      {"H": tuple("가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주")}),
    # Vietnam (Vehicle registration plates of Vietnam): province, series letter, serial: "30A-123.45".
    "VN": PlateFormat((("PL-DDD.DD", 3.0), ("PL-DDDD", 1.0), ("PLL-DDD.DD", 0.5)),
                      {"P": tuple(str(k) for k in range(11, 100)), "L": letters("IJOQRW")}),
    # Thailand (Vehicle registration plates of Thailand): digit, 2 Thai consonants, 1-4 digits: "1กข 1234".
    "TH": PlateFormat((("NTT NDDD", 2.0), ("TT NDDD", 1.0), ("NTT NDD", 1.0)),
                      {"T": tuple("กขคฆงจฉชซฌญฎฐฒณดตถทธนบปผพภมยรลวศษสหฬอฮ")}),
    # Philippines (Vehicle registration plates of the Philippines): "NAB 1234" since 2014, "ABC 123" before.
    "PH": PlateFormat((("LLL DDDD", 3.0), ("LLL DDD", 2.0), ("LLLDDDD", 1.0))),
    # Pakistan (Vehicle registration plates of Pakistan): Punjab "ABC-123" / "ABC 1234", Sindh "ABC-123".
    "PK": PlateFormat((("LLL-DDD", 3.0), ("LLL DDDD", 1.0), ("LL-DDDD", 1.0), ("LLL-DD-DDDD", 0.5))),
    # Singapore (Vehicle registration plates of Singapore): "SBA 1234 A" (the last letter is a checksum).
    "SG": PlateFormat((("SLL NDDD L", 3.0), ("SLL NDD L", 1.0), ("SL NDDD L", 0.5)),
                      {"S": ("S",), "L": letters("IO")}),
    # Australia (Vehicle registration plates of Australia): NSW "AB 12 CD", Victoria "1AB 2CD",
    # Queensland "123 ABC", older "ABC-123".
    "AU": PlateFormat((("LL DD LL", 2.0), ("DLL DLL", 2.0), ("DDD LLL", 2.0), ("LLL-DDD", 1.0))),
    # New Zealand (Vehicle registration plates of New Zealand): "ABC123".
    "NZ": PlateFormat((("LLLDDD", 3.0), ("LLDDDD", 0.5))),
    # Chile (Vehicle registration plates of Chile): "BB·CC·12" since 2007, "AB·12·34" before.
    "CL": PlateFormat((("CC·CC·DD", 3.0), ("LL·DD·DD", 1.0), ("CCCC-DD", 1.0)), {"C": tuple("BCDFGHJKLPRSTVWXYZ")}),
    # Colombia (Vehicle registration plates of Colombia): "ABC 123" (cars), "ABC-123".
    "CO": PlateFormat((("LLL DDD", 3.0), ("LLL-DDD", 2.0))),
    # Peru (Vehicle registration plates of Peru): "ABC-123" and "A1B-234".
    "PE": PlateFormat((("LLL-DDD", 2.0), ("LDL-DDD", 2.0))),
    # Ghana (Vehicle registration plates of Ghana): region code, serial, year: "GR 1234-20".
    "GH": PlateFormat((("R NDDD-Y", 1.0),),
                      {"R": tuple("GR GT GE GW GN AS AW BA BT CR ER NR UW UE VR WR".split()),
                       "Y": tuple(f"{y:02d}" for y in range(10, 26))}),
    # United Arab Emirates (Vehicle registration plates of the United Arab Emirates): Dubai "A 12345".
    "AE": PlateFormat((("L NDDDD", 3.0), ("L NDDD", 1.0), ("LL NDDDD", 1.0))),
    # Saudi Arabia (Vehicle registration plates of Saudi Arabia): 4 digits and 3 letters, in the Latin
    # letters printed beside the Arabic ones: "1234 ABD".
    "SA": PlateFormat((("NDDD LLL", 3.0), ("NDD LLL", 1.0)), {"L": tuple("ABDEGHJKLNRSTUVXZ")}),
}
"""Countries outside Europe (and Malaysia, in plates.py) whose plates are drawn from the templates here."""
