"""The one masking rule of what the public reads (``rules.personal``)."""

from tasks.rules.personal import MASK, mask_personal, names_in, personal_terms


def test_names_are_read_beside_their_titles_and_offices_are_not_names():
    assert names_in("王五副区长批示（2026第3号）") == ["王五"]
    assert names_in("市委书记张三批示") == ["张三"]
    assert names_in("张三（副区长）、李四") == ["张三", "李四"]
    assert names_in("区政府第5次常务会议") == []
    assert names_in("海宁市住建局分管领导") == []


def test_known_terms_and_personal_shapes_are_masked_the_rest_kept():
    terms = personal_terms(["张三", "coord", "lead@example.gov.cn", "王五副区长", "三"], sources=["吴九区长批示"])
    text = "按王五副区长批示，联系张三13912345678或Lead@Example.gov.cn，电话0575-85123456，吴九督办，完成30个"
    assert mask_personal(text, terms) == f"按{MASK}批示，联系{MASK}或{MASK}，电话{MASK}，{MASK}督办，完成30个"
    assert mask_personal("王五到现场", terms) == f"{MASK}到现场"  # the name without its title too
    assert mask_personal("完成三个小区", terms) == "完成三个小区"  # one character is nobody
    assert mask_personal("账号COORD", terms) == f"账号{MASK}"
    assert mask_personal("", terms) == "" and mask_personal(None, terms) is None
