"""Issue 24 round 4 (finance): 只 after 多 is the classifier when 多 counts ("several"), the
adverb "only" when 多 is the bound of 最多/顶多/至多 or 只 limits a verb that follows."""

import pytest
from conftest import reading_of

# The quantity 多 (several, a dozen-odd, many) before a counted noun: classifier zhi1.
COUNTED = [
    "多只概念股涨停",
    "多只基金暂停申购",
    "盘中多只个股封板",
    "十多只股票跌停",
    "二十多只债券违约",
    "许多只羊在吃草",
    "很多只鸟飞过",
    "多只新股上市",
]

# 多 as "at most", or 只 before a verb it limits: the adverb zhi3 (the rule must stay silent).
ONLY = [
    "最多只能买十股",
    "顶多只是小幅回调",
    "至多只剩三天",
    "最多只卖十个",
    "顶多只一个",
    "他多只会说不",
    "差不多只剩一半",
    "我们只看龙头",
]


@pytest.mark.parametrize("text", COUNTED)
def test_zhi_after_quantity_duo_is_classifier(fe, text: str) -> None:
    assert reading_of(fe, text, "只") == "zhi1"


@pytest.mark.parametrize("text", ONLY)
def test_zhi_after_at_most_or_before_verb_is_only(fe, text: str) -> None:
    assert reading_of(fe, text, "只") == "zhi3"
