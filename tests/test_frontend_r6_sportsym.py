"""Round-6 sports, symbols_units and tech_mixed (issue 24): race times (``normalize._race_times``:
m:ss.fff laps, h:mm:ss named a duration by what stands around it), lists of set scores
(``normalize._score_dash``), HTTP status codes and port/error-code keywords read digit by digit
(``normalize._codes``), units of nutrition labels, lab sheets, car specs and weather (``units.UNITS``),
Chinese length units squared or cubed (``normalize._superscripts``), 中 as the count of hits after a
count of shots (``polyphones._zhong_hit``), 重 "again" before 赛/连/试 (``polyphones._zhong_chong``), 得分
before its value (``prose_senses.de_of_a_score``), 为 "as" after 认证/确诊 (``polyphones._WEI2_AFTER``), 长按
chang2 (``polyphones._chang_zhang``),
each with cases where the rule must stay silent."""

from __future__ import annotations

import pytest
from conftest import assert_syllables, reading_of

from tts.frontend.normalize import normalize_numbers

NORMALIZE_FIRES = [
    # Race and lap times.
    ("他以1:29.708的成绩拿到杆位", "一分二十九秒七零八"),
    ("单圈最快1:31.5", "一分三十一秒五"),
    ("他跑出了1:59:40", "一小时五十九分四十秒"),
    ("他以2:05:42的成绩夺冠", "两小时零五分四十二秒"),
    ("全程用时3:12:08", "三小时十二分零八秒"),
    # Lists of set scores.
    ("她以6-4、6-3击败对手", "六比四、六比三"),
    ("三盘比分为6-3、4-6、7-5", "六比三、四比六、七比五"),
    # HTTP status codes and code keywords.
    ("接口返回了404错误", "四零四错误"),
    ("网关返回502", "五零二"),
    ("页面提示403 Forbidden", "四零三 Forbidden"),
    ("超出限制将返回429。", "四二九"),
    ("默认端口是6379", "六三七九"),
    ("错误码为10086", "幺零零八六"),
    # Units.
    ("每100g含能量1580kJ", "一千五百八十千焦"),
    ("空腹血糖为7.8mmol/L", "七点八毫摩尔每升"),
    ("生成0.1mol二氧化碳", "零点一摩尔"),
    ("峰值扭矩为320N·m", "三百二十牛米"),
    ("气压为1013hPa", "一千零一十三百帕"),
    ("血压120mmHg", "一百二十毫米汞柱"),
    ("轮胎气压250kPa", "百五十千帕"),
    # Chinese length units squared or cubed.
    ("共需45米²", "四十五平方米"),
    ("单价80元/米²", "八十元每平方米"),
    ("体积为3厘米³", "三立方厘米"),
    # Per hundred kilometres.
    ("综合油耗5.8L/100km", "五点八升每百公里"),
    ("电耗15kWh/100km", "千瓦时每百公里"),
]

NORMALIZE_SILENT = [
    # Clock times and ratios stay what they were.
    ("会议于9:30:00开始", "九点三十分零秒"),
    ("比例为1:2:3", "一比二比三"),
    ("比赛将于20:00开始", "二十点"),
    # A range is not a score list.
    ("气温3-5度、湿度60-80%", "三到五度"),
    # Amounts after 返回 and counts of 4xx/5xx stay cardinals.
    ("返回400元", "四百元"),
    ("每页最多返回100条", "一百条"),
    ("有404人参加", "四百零四人"),
    ("他的分数是450分", "四百五十分"),
    ("报名人数达到502", "五百零二"),
    # A superscript after a letter is still a power.
    ("x²+y²=25", "x的平方"),
    # km/h is still per hour, and a distance after 每 keeps its number.
    ("限速100km/h", "一百公里每小时"),
    ("每100km加一次油", "每一百公里"),
]


@pytest.mark.parametrize("text, part", NORMALIZE_FIRES + NORMALIZE_SILENT)
def test_normalize_reads(text: str, part: str) -> None:
    assert part in normalize_numbers(text), normalize_numbers(text)


ZHONG_FIRES = [
    ("他三十投十九中", "中", 0, "zhong4"),
    ("他十投九中", "中", 0, "zhong4"),
    ("他投三中一", "中", 0, "zhong4"),
    ("他命中了三分", "中", 0, "zhong4"),
]

ZHONG_SILENT = [
    ("他在投票中胜出", "中", 0, "zhong1"),
    ("比赛中他投了三球", "中", 0, "zhong1"),
    ("三个人中有两个投了票", "中", 0, "zhong1"),
]

CHONG_FIRES = [
    ("裁判决定重赛", "重", 0, "chong2"),
    ("两队重赛一场", "重", 0, "chong2"),
    ("断网后自动重连", "重", 0, "chong2"),
    ("请稍后重试", "重", 0, "chong2"),
    ("他重写了作业", "重", 0, "chong2"),
]

CHONG_SILENT = [
    ("体重连续下降", "重", 0, "zhong4"),
    ("任务很重", "重", 0, "zhong4"),
    ("他重达一百斤", "重", 0, "zhong4"),
    ("这是一场重要的比赛", "重", 0, "zhong4"),
]


CHANG_FIRES = [
    # 长按: a long press in device manuals.
    ("长按配网键五秒", "长", 0, "chang2"),
    ("请长按电源键", "长", 0, "chang2"),
    ("长摁开关三秒", "长", 0, "chang2"),
]

CHANG_SILENT = [
    ("孩子长得很快", "长", 0, "zhang3"),
    ("他是我们的班长", "长", 0, "zhang3"),
    ("脸上长了一颗痘", "长", 0, "zhang3"),
]

DE_FIRES = [
    # 得分 before its value is the noun "score" (de2), after a verb too.
    ("她的自由滑得分为一百四十八点五分", "得", 0, "de2"),
    ("他的得分是九十", "得", 0, "de2"),
    ("本场他得分达到三十分", "得", 0, "de2"),
]

DE_SILENT = [
    ("动作完成得分为三个阶段", "得", 0, "de5"),
    ("他说得分明是假话", "得", 0, "de5"),
    ("他跑得很快", "得", 0, "de5"),
]

WEI_FIRES = [
    # 为 "as" after a verb of certifying or diagnosing.
    ("这一成绩未被认证为世界纪录", "为", 0, "wei2"),
    ("他被确诊为肺炎", "为", 0, "wei2"),
    ("结果验证为正确", "为", 0, "wei2"),
]

WEI_SILENT = [
    ("我保证为你们服务", "为", 0, "wei4"),
    ("他见证为国争光的时刻", "为", 0, "wei4"),
    ("他为球队打进一球", "为", 0, "wei4"),
]


@pytest.mark.parametrize(
    "text, char, nth, want",
    ZHONG_FIRES + ZHONG_SILENT + CHONG_FIRES + CHONG_SILENT + DE_FIRES + DE_SILENT + WEI_FIRES + WEI_SILENT
    + CHANG_FIRES + CHANG_SILENT,
)
def test_polyphone_reading(fe, text: str, char: str, nth: int, want: str) -> None:
    assert reading_of(fe, text, char, nth) == want


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "他以1:29.708的成绩拿到杆位。",
            "ta1 yi3 yi4 fen1 er4 shi2 jiu2|jiu3 miao3 qi1 ling2 ba1 de5 cheng2 ji4 na2 dao4 gan1 wei4",
        ),
        ("网关返回502错误。", "wang3 guan1 fan3 hui2 wu3 ling2 er4 cuo4 wu4"),
        ("峰值扭矩为320N·m。", "feng1 zhi2 niu2 ju3 wei2 san1 bai3 er4 shi2 niu2 mi3"),
    ],
)
def test_whole_sentences(fe, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)
