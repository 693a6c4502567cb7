"""Readings decided by context (issue 16): one list per category of error.

Sentences written for the rules of issue 16 (a dev set: the held-out sentence
set is never used to write rules).  Expected syllables are the reading after
sandhi; ``a|b`` accepts either where natives differ.
"""

from __future__ import annotations

import pytest

from conftest import assert_syllables

from tts.frontend import Frontend

SURNAMES = [
    ("区先生来了", "ou1 xian1 sheng5 lai2 le5"),
    ("查老师在办公室", "zha1 lao3 shi1 zai4 ban4 gong1 shi4"),
    ("盖女士是医生", "ge2 nv3 shi4 shi4 yi1 sheng1|sheng5"),
    ("缪经理出差了", "miao4 jing1 li3 chu1 chai1 le5"),
    ("这位是单老师", "zhe4 wei4 shi4 shan4 lao3 shi1"),
    ("仇女士今天请假", "qiu2 nv3 shi4 jin1 tian1 qing3 jia4"),
    ("朴总下午到", "piao2 zong3 xia4 wu3 dao4"),
    ("曾先生住在隔壁", "zeng1 xian1 sheng5 zhu4 zai4 ge2 bi4"),
    ("我们的任老师很严格", "wo3 men5 de5 ren2 lao3 shi1 hen3 yan2 ge2"),
    ("覃主任正在开会", "qin2 zhu3 ren4 zheng4 zai4 kai1 hui4"),
    ("翟同学回答得很好", "zhai2 tong2 xue2 hui2 da2 de5 hen2 hao3"),
    ("华教授发表了论文", "hua4 jiao4 shou4 fa1 biao3 le5 lun4 wen2"),
    ("解经理明天回来", "xie4 jing1 li3 ming2 tian1 hui2 lai2|lai5"),
    ("燕阿姨做的饺子最好吃", "yan1 a1 yi2 zuo4 de5 jiao3 zi5 zui4 hao3 chi1"),
    ("我姓区", "wo3 xing4 ou1"),
    ("她姓查", "ta1 xing4 zha1"),
    ("他姓单，不姓丹", "ta1 xing4 shan4 bu2 xing4 dan1"),
    ("复姓尉迟的人很少", "fu4 xing4 yu4 chi2 de5 ren2 hen2 shao3"),
    ("万俟先生是我的朋友", "mo4 qi2 xian1 sheng5 shi4 wo3 de5 peng2 you5"),
    ("查某因涉嫌诈骗被拘留", "zha1 mou3 yin1 she4 xian2 zha4 pian4 bei4 ju1 liu2"),
    ("区某某已被警方控制", "ou1 mou2 mou2|mou3 yi3 bei4 jing3 fang1 kong4 zhi4"),
    ("缪某在案发后投案自首", "miao4 mou3 zai4 an4 fa1 hou4 tou2 an4 zi4 shou3"),
    ("单田芳说评书", "shan4 tian2 fang1 shuo1 ping2 shu1"),
    ("解缙是明代才子", "xie4 jin4 shi4 ming2 dai4 cai2 zi3"),
    ("翟志刚完成了出舱任务", "zhai2 zhi4 gang1 wan2 cheng2 le5 chu1 cang1 ren4 wu4"),
    ("仇英是明代画家", "qiu2 ying1 shi4 ming2 dai4 hua4 jia1"),
    ("葛优是演员", "ge3 you1 shi4 yan3 yuan2"),
    ("记者采访了区志强先生", "ji4 zhe3 cai2 fang3 le5 ou1 zhi4 qiang2 xian1 sheng5"),
    ("据单女士介绍", "ju4 shan4 nv3 shi4 jie4 shao4"),
    ("任正非是华为的创始人", "ren2 zheng4 fei1 shi4 hua2 wei2 de5 chuang4 shi3 ren2"),
    ("我叫查文，是新来的", "wo3 jiao4 zha1 wen2 shi4 xin1 lai2 de5"),
    # Not names: the common reading stays.
    ("他找查询台的工作人员问路", "ta1 zhao3 cha2 xun2 tai2 de5 gong1 zuo4 ren2 yuan2 wen4 lu4"),
    ("他把这件事告诉了区长", "ta1 ba3 zhe4 jian4 shi4 gao4 su5|su4 le5 qu1 zhang3"),
    ("单位要求大家按时上班", "dan1 wei4 yao1 qiu2 da4 jia1 an4 shi2 shang4 ban1"),
    ("小区门口有家超市", "xiao3 qu1 men2 kou2|kou3 you3 jia1 chao1 shi4"),
    ("请查一下老师的电话", "qing3 cha2 yi2 xia4 lao3 shi1 de5 dian4 hua4"),
    ("他曾任经理", "ta1 ceng2 ren4 jing1 li3"),
    ("区长来了", "qu1 zhang3 lai2 le5"),
    ("单位领导", "dan1 wei4 ling2 dao3"),
    ("他曾经是老师", "ta1 ceng2 jing1 shi4 lao3 shi1"),
    ("任何人都可以", "ren4 he2 ren2 dou1 ke2 yi3"),
    ("据查某地有违规行为", "ju4 cha2 mou3 di4 you3 wei2 gui1 xing2 wei2"),
]

WEI = [
    ("我们都以他为榜样", "wo3 men5 dou1 yi3 ta1 wei2 bang3 yang4"),
    ("以人民为中心", "yi3 ren2 min2 wei2 zhong1 xin1"),
    ("全年降水量为800毫米", "quan2 nian2 jiang4 shui3 liang4 wei2 ba1 bai3 hao2 mi3"),
    ("本次活动的主题为绿色出行", "ben3 ci4 huo2 dong4 de5 zhu3 ti2 wei2 lv4 se4 chu1 xing2"),
    ("该县的总人口为三十万", "gai1 xian4 de5 zong2|zong3 ren2 kou3 wei2 san1 shi2 wan4"),
    ("比赛时间为两个小时", "bi3 sai4 shi2 jian1 wei2 liang3 ge4 xiao3 shi2"),
    ("报名费为200元", "bao4 ming2 fei4 wei2 liang2 bai3 yuan2"),
    ("此事为大家所熟知", "ci3 shi4 wei2 da4 jia1 suo3 shu2 zhi1"),
    ("这座城市被誉为东方明珠", "zhe4 zuo4 cheng2 shi4 bei4 yu4 wei2 dong1 fang1 ming2 zhu1"),
    ("他把名字改为张三", "ta1 ba3 ming2 zi5 gai3 wei2 zhang1 san1"),
    ("会议地点定为北京", "hui4 yi4 di4 dian3 ding4 wei2 bei3 jing1"),
    ("全书分为上下两册", "quan2 shu1 fen1 wei2 shang4 xia4 liang3 ce4"),
    ("这次考试的及格线为六十分", "zhe4 ci4 kao3 shi4 de5 ji2 ge2 xian4 wei2 liu4 shi2 fen1"),
    ("利润率约为百分之八", "li4 run4 lv4 yue1 wei2 bai3 fen1 zhi1 ba1"),
    ("两队的比分为三比二", "liang3 dui4 de5 bi3 fen1 wei2 san1 bi3 er4"),
    ("他身为队长，责任重大", "ta1 shen1 wei2 dui4 zhang3 ze2 ren4 zhong4 da4"),
    ("考试成绩将作为录取依据", "kao3 shi4 cheng2 ji4 jiang1 zuo4 wei2 lu4 qu3 yi1 ju4"),
    ("到目前为止", "dao4 mu4 qian2 wei2 zhi3"),
    ("以学生为主体", "yi3 xue2 sheng1|sheng5 wei2 zhu2 ti3"),
    ("他的月薪为八千元", "ta1 de5 yue4 xin1 wei2 ba1 qian1 yuan2"),
    ("我为你感到骄傲", "wo3 wei4 ni2|ni3 gan3 dao4 jiao1 ao4"),
    ("志愿者为老人提供帮助", "zhi4 yuan4 zhe3 wei4 lao3 ren2 ti2 gong1 bang1 zhu4"),
    ("为了孩子，她付出了很多", "wei4 le5 hai2 zi5 ta1 fu4 chu1 le5 hen3 duo1"),
    ("公司为员工办理了保险", "gong1 si1 wei4 yuan2 gong1 ban4 li3 le5 bao2 xian3"),
    ("他为什么不来", "ta1 wei4 shen2 me5 bu4 lai2"),
    ("为方便市民出行，地铁延长了运营时间",
     "wei4 fang1 bian4 shi4 min2 chu1 xing2 di4 tie3 yan2 chang2 le5 yun4 ying2 shi2 jian1"),
    ("医生为病人做了手术", "yi1 sheng1|sheng5 wei4 bing4 ren2 zuo4 le5 shou3 shu4"),
    ("大家都为他高兴", "da4 jia1 dou1 wei4 ta1 gao1 xing4"),
    ("为人民服务", "wei4 ren2 min2 fu2 wu4"),
    ("学校为十名优秀学生颁发了奖学金",
     "xue2 xiao4 wei4 shi2 ming2 you1 xiu4 xue2 sheng1|sheng5 ban1 fa1 le5 jiang3 xue2 jin1"),
    ("你可以为大家唱首歌吗", "ni2|ni3 ke2 yi3 wei4 da4 jia1 chang4 shou3 ge1 ma5"),
    ("他愿意为你付出一切", "ta1 yuan4 yi4 wei4 ni3 fu4 chu1 yi2 qie4"),
    ("因为下雨，比赛推迟了", "yin1 wei4 xia4 yu3 bi3 sai4 tui1 chi2 le5"),
    ("他视金钱为粪土", "ta1 shi4 jin1 qian2 wei2 fen4 tu3"),
    ("人们称他为活雷锋", "ren2 men5 cheng1 ta1 wei2 huo2 lei2 feng1"),
    ("他拜张老师为师", "ta1 bai4 zhang1 lao2|lao3 shi1 wei2 shi1"),
    ("这次比赛的冠军为中国选手", "zhe4 ci4 bi3 sai4 de5 guan4 jun1 wei2 zhong1 guo2 xuan2 shou3"),
    ("这件事为大家敲响了警钟", "zhe4 jian4 shi4 wei4 da4 jia1 qiao1 xiang3 le5 jing3 zhong1"),
    ("以最快的速度为客户服务", "yi3 zui4 kuai4 de5 su4 du4 wei4 ke4 hu4 fu2 wu4"),
    ("他的行为令人钦佩", "ta1 de5 xing2 wei2 ling4 ren2 qin1 pei4"),
    ("这家公司以生产汽车为主", "zhe4 jia1 gong1 si1 yi3 sheng1 chan3 qi4 che1 wei2 zhu3"),
    ("产品合格率为99.5%", "chan2 pin3 he2 ge2 lv4 wei2 bai3 fen1 zhi1 jiu3 shi2 jiu3 dian2 wu3"),
    ("她为这次演出准备了很久", "ta1 wei4 zhe4 ci4 yan3 chu1 zhun3 bei4 le5 hen2 jiu3"),
]

DIGITS = [
    ("请乘坐G1234次列车", "qing3 cheng2 zuo4 ji4 yao1 er4 san1 si4 ci4 lie4 che1"),
    ("MU5101航班已经起飞", "ai4 mu5 you1 wu3 yao1 ling2 yao1 hang2 ban1 yi3 jing1 qi3 fei1"),
    ("他坐的是K1017次", "ta1 zuo4 de5 shi4 kei4 yao1 ling2 yao1 qi1 ci4"),
    ("邮编是100871", "you2 bian1 shi4 yao1 ling2 ling2 ba1 qi1 yao1"),
    ("订单号：202411210015", "ding4 dan1 hao4 er4 ling2 er4 si4 yao1 yao1 er4 yao1 ling2 ling2 yao1 wu3"),
    ("座位在3车厢12号", "zuo4 wei4 zai4 san1 che1 xiang1 shi2 er4 hao4"),
    ("坐1路车可以到", "zuo4 yi1 lu4 che1 ke2 yi3 dao4"),
    ("乘坐地铁1号线", "cheng2 zuo4 di4 tie3 yi1 hao4 xian4"),
    ("他住在1楼", "ta1 zhu4 zai4 yi1 lou2"),
    ("办公室在1单元", "ban4 gong1 shi4 zai4 yi1 dan1 yuan2"),
    ("请到1号窗口办理", "qing3 dao4 yi1 hao4 chuang1 kou3 ban4 li3"),
    ("1班和2班进行拔河比赛", "yi1 ban1 he2 er4 ban1 jin4 xing2 ba2 he2 bi3 sai4"),
    ("车牌号是京A12345", "che1 pai2 hao4 shi4 jing1 ei1 yao1 er4 san1 si4 wu3"),
    ("身份证尾号1234", "shen1 fen4 zheng4 wei3 hao4 yao1 er4 san1 si4"),
    ("尾号为0011的用户", "wei3 hao4 wei2 ling2 ling2 yao1 yao1 de5 yong4 hu4"),
    ("验证码：561023", "yan4 zheng4 ma3 wu3 liu4 yao1 ling2 er4 san1"),
    ("软件版本是3.1", "ruan3 jian4 ban2 ben3 shi4 san1 dian3 yi1"),
    ("升级到2.1版", "sheng1 ji2 dao4 er4 dian3 yi1 ban3"),
    ("价格涨了1.1倍", "jia4 ge2 zhang3 le5 yi1 dian3 yi1 bei4"),
    ("一斤苹果5.5元", "yi4 jin1 ping2 guo2|guo3 wu3 yuan2 wu2 jiao3"),
    ("这瓶水3.50元", "zhe4 ping2 shui3 san1 yuan2 wu2 jiao3"),
    ("共计128.35元", "gong4 ji4 yi4 bai3 er4 shi2 ba1 yuan2 san1 jiao2|jiao3 wu3 fen1"),
    ("找您0.5元", "zhao3 nin2 wu2 jiao3"),
    ("一碗面12.8元", "yi4 wan2|wan3 mian4 shi2 er4 yuan2 ba1 jiao3"),
    ("票价¥3.05", "piao4 jia4 san1 yuan2 ling2 wu3 fen1"),
    ("这只股票收于12.35元", "zhe4 zhi1 gu2|gu3 piao4 shou1 yu2 shi2 er4 dian3 san1 wu3 yuan2"),
    ("每股收益0.35元", "mei2 gu3 shou1 yi4 ling2 dian3 san1 wu3 yuan2"),
    ("营收达3.5亿元", "ying2 shou1 da2 san1 dian2 wu3 yi4 yuan2"),
    ("他跑出了9秒83", "ta1 pao3 chu1 le5 jiu2 miao3 ba1 san1"),
    ("她的身高是1米65", "ta1 de5 shen1 gao1 shi4 yi4 mi3 liu4 wu3"),
    ("25×4=100", "er4 shi2 wu3 cheng2 yi3 si4 deng3 yu2 yi4 bai3"),
    ("1+1=2", "yi1 jia1 yi1 deng3 yu2 er4"),
    ("100÷4=25", "yi4 bai3 chu2 yi3 si4 deng3 yu2 er4 shi2 wu3"),
    ("请按#号键结束", "qing3 an4 jing3 hao4 jian4 jie2 shu4"),
    ("按*键返回", "an4 xing1 hao4 jian4 fan3 hui2"),
    ("拨打*100#查询话费", "bo1 da3 xing1 hao4 yao1 ling2 ling2 jing3 hao4 cha2 xun2 hua4 fei4"),
    ("这个西瓜3块5一斤", "zhe4 ge4|ge5 xi1 gua1 san1 kuai4 wu3 yi4 jin1"),
    ("油价每升上涨0.12元", "you2 jia4 mei3 sheng1 shang4 zhang3 ling2 dian3 yi1 er4 yuan2"),
    ("这趟D301次动车晚点了", "zhe4 tang4 di4 san1 ling2 yao1 ci4 dong4 che1 wan2 dian3 le5"),
    ("十一个人", "shi2 yi1 ge4 ren2"),
    ("一百零一个", "yi4 bai3 ling2 yi1 ge4"),
    ("五一劳动节", "wu3 yi1 lao2 dong4 jie2"),
    ("从1楼到10楼", "cong2 yi1 lou2 dao4 shi2 lou2"),
]

POLYPHONES_IN_CONTEXT = [
    ("老师教我们唱歌", "lao3 shi1 jiao1 wo3 men5 chang4 ge1"),
    ("他在大学教书", "ta1 zai4 da4 xue2 jiao1 shu1"),
    ("她教了十年数学", "ta1 jiao1 le5 shi2 nian2 shu4 xue2"),
    ("教育是国之大计", "jiao4 yu4 shi4 guo2 zhi1 da4 ji4"),
    ("你教教我吧", "ni3 jiao1 jiao5 wo3 ba5"),
    ("妈妈在厨房和面", "ma1 ma5 zai4 chu2 fang2 huo2 mian4"),
    ("用水和泥", "yong4 shui3 huo2 ni2"),
    ("我和你", "wo3 he2 ni3"),
    ("这把牌我和了", "zhe4 ba2|ba3 pai2 wo3 hu2 le5"),
    ("她在弹钢琴", "ta1 zai4 tan2 gang1 qin2"),
    ("他会弹吉他", "ta1 hui4 tan2 ji2 ta1"),
    ("子弹打中了目标", "zi3 dan4 da3 zhong4 le5 mu4 biao1"),
    ("她弹了一首曲子", "ta1 tan2 le5 yi4 shou2|shou3 qu3 zi5"),
    ("我睡了一觉", "wo3 shui4 le5 yi2 jiao4"),
    ("睡个午觉", "shui4 ge4|ge5 wu3 jiao4"),
    ("我觉得不错", "wo3 jue2 de5 bu2 cuo4"),
    ("他数了数钱", "ta1 shu3 le5 shu3 qian2"),
    ("全班数他最高", "quan2 ban1 shu3 ta1 zui4 gao1"),
    ("这个数很大", "zhe4 ge4|ge5 shu4 hen3 da4"),
    ("他当了老师", "ta1 dang1 le5 lao3 shi1"),
    ("别把他当外人", "bie2 ba2|ba3 ta1 dang4 wai4 ren2"),
    ("我上当了", "wo3 shang4 dang4 le5"),
    ("当天往返", "dang4 tian1 wang2 fan3"),
    ("他冲我笑了笑", "ta1 chong4 wo3 xiao4 le5 xiao4|xiao5"),
    ("这人说话太冲", "zhe4 ren2 shuo1 hua4 tai4 chong4"),
    ("消防员冲进火场", "xiao1 fang2 yuan2 chong1 jin4 huo2 chang3"),
    ("冲一杯咖啡", "chong1 yi4 bei1 ka1 fei1"),
    ("他看了看手表", "ta1 kan4 le5 kan4 shou2 biao3"),
    ("你想一想", "ni2|ni3 xiang3 yi5 xiang3"),
    ("他重写了报告", "ta1 chong2 xie3 le5 bao4 gao4"),
    ("这箱子很重", "zhe4 xiang1 zi5 hen3 zhong4"),
    ("重要的事情说三遍", "zhong4 yao4 de5 shi4 qing5 shuo1 san1 bian4"),
    ("他冲着大家喊了一声", "ta1 chong4 zhe5 da4 jia1 han3 le5 yi4 sheng1"),
    ("他的手指流了点血", "ta1 de5 shou2 zhi3 liu2 le5 dian2 xie3"),
    ("血液循环", "xue4 ye4 xun2 huan2"),
    ("妈妈在铺床", "ma1 ma5 zai4 pu1 chuang2"),
    ("这家店铺很大", "zhe4 jia1 dian4 pu4 hen3 da4"),
    ("他划了一根火柴", "ta1 hua2 le5 yi4 gen1 huo3 chai2"),
    ("我们计划明天出发", "wo3 men5 ji4 hua4 ming2 tian1 chu1 fa1"),
    ("他推开了那扇门", "ta1 tui1 kai1 le5 na4|nei4 shan4 men2"),
    ("好像下雨了似的", "hao3 xiang4 xia4 yu3 le5 shi4 de5"),
    ("似乎不太对", "si4 hu1 bu2 tai4 dui4"),
    ("系好安全带", "ji4 hao3 an1 quan2 dai4"),
    ("这是中文系的学生", "zhe4 shi4 zhong1 wen2 xi4 de5 xue2 sheng1|sheng5"),
    ("盛一碗汤", "cheng2 yi4 wan3 tang1"),
    ("繁荣昌盛", "fan2 rong2 chang1 sheng4"),
    ("他一个月挣八千", "ta1 yi2 ge4 yue4 zheng4 ba1 qian1"),
    ("请把苹果削了皮", "qing2|qing3 ba3 ping2 guo3 xiao1 le5 pi2"),
    ("他说话冲得很", "ta1 shuo1 hua4 chong4 de5 hen3"),
    ("这间房子一直空着", "zhe4 jian1 fang2 zi5 yi4 zhi2 kong4 zhe5"),
    ("请把桌子空出来", "qing2|qing3 ba3 zhuo1 zi5 kong4 chu1 lai2|lai5"),
    ("这位老师教得很好", "zhe4 wei4 lao3 shi1 jiao1 de5 hen2 hao3"),
    ("炮弹落在了阵地上", "pao4 dan4 luo4 zai4 le5 zhen4 di4 shang4|shang5"),
    ("这件事你得当回事", "zhe4 jian4 shi4 ni2|ni3 dei3 dang4 hui2 shi4"),
    ("老师在教室里教学生写字", "lao3 shi1 zai4 jiao4 shi4 li3|li5 jiao1 xue2 sheng1|sheng5 xie3 zi4"),
]

NEUTRAL_BY_SENSE = [
    ("这东西真好用", "zhe4 dong1 xi5 zhen1 hao3 yong4"),
    ("这条路横贯东西", "zhe4 tiao2 lu4 heng2 guan4 dong1 xi1"),
    ("东西两侧", "dong1 xi1 liang3 ce4"),
    ("这个地方很美", "zhe4 ge4|ge5 di4 fang5 hen2|hen3 mei3"),
    ("地方财政收入增加", "di4 fang1 cai2 zheng4 shou1 ru4 zeng1 jia1"),
    ("她为人很大方", "ta1 wei2 ren2 hen3 da4 fang5"),
    ("贻笑大方", "yi2 xiao4 da4 fang1"),
    ("把握大方向", "ba3 wo4 da4 fang1 xiang4"),
    ("他们兄弟俩感情很好", "ta1 men5 xiong1 di4 lia2|lia3 gan3 qing2 hen2 hao3"),
    ("兄弟，帮个忙", "xiong1 di5 bang1 ge4|ge5 mang2"),
    ("兄弟姐妹", "xiong1 di4 jie3 mei4"),
    ("这段话的大意", "zhe4 duan4 hua4 de5 da4 yi4"),
    ("他太大意了", "ta1 tai4 da4 yi5 le5"),
    ("这家的菜很地道", "zhe4 jia1 de5 cai4 hen3 di4 dao5"),
    ("地道战", "di4 dao4 zhan4"),
    ("人家不愿意", "ren2 jia5 bu2 yuan4 yi4"),
    ("山脚下住着一户人家", "shan1 jiao3 xia4 zhu4 zhe5 yi2 hu4 ren2 jia1"),
    ("做买卖", "zuo4 mai3 mai5"),
    ("禁止买卖野生动物", "jin4 zhi2|zhi3 mai3 mai4 ye3 sheng1 dong4 wu4"),
    ("他的运气真好", "ta1 de5 yun4 qi5 zhen1 hao3"),
    ("这孩子看起来真精神", "zhe4 hai2 zi5 kan4 qi3|qi5 lai2|lai5 zhen1 jing1 shen5"),
    ("精神文明建设", "jing1 shen2 wen2 ming2 jian4 she4"),
    ("你有多少钱", "ni2|ni3 you3 duo1 shao5|shao3 qian2"),
    ("多少吃一点", "duo1 shao3 chi1 yi4 dian3"),
    ("他是做生意的", "ta1 shi4 zuo4 sheng1 yi5 de5"),
    ("田野里生意盎然", "tian2 ye2|ye3 li3|li5 sheng1 yi4 ang4 ran2"),
    ("他很有本事", "ta1 hen2|hen3 you2|you3 ben3 shi5"),
    ("地下停车场", "di4 xia4 ting2 che1 chang3"),
    ("孙子兵法", "sun1 zi3 bing1 fa3"),
    ("爷爷抱着孙子", "ye2 ye5 bao4 zhe5 sun1 zi5"),
    ("大爷，您慢走", "da4 ye5 nin2 man4 zou3"),
    ("大爷作风要不得", "da4 ye2 zuo4 feng1 yao4 bu5|bu4 de2"),
    ("给我们带来了很大方便", "gei2 wo3 men5 dai4 lai2 le5 hen3 da4 fang1 bian4"),
    ("这个东西方便携带", "zhe4 ge4|ge5 dong1 xi5 fang1 bian4 xie2 dai4"),
    ("兄弟们，加油", "xiong1 di5 men5 jia1 you2"),
    ("他家是好人家", "ta1 jia1 shi4 hao3 ren2 jia1"),
    ("精神病医院", "jing1 shen2 bing4 yi1 yuan4"),
    ("这位兄弟是哪里人", "zhe4 wei4 xiong1 di5 shi4 na2|na3 li3 ren2"),
    ("他们兄弟三人都考上了大学", "ta1 men5 xiong1 di4 san1 ren2 dou1 kao3 shang4|shang5 le5 da4 xue2"),
    ("这首诗的大意是思念家乡", "zhe4 shou3 shi1 de5 da4 yi4 shi4 si1 nian4 jia1 xiang1"),
    ("他的普通话说得很地道", "ta1 de5 pu3 tong1 hua4 shuo1 de5 hen3 di4 dao5"),
]

SYMBOLS_AND_ERHUA = [
    ("温度≥30℃时请注意防暑", "wen1 du4 da4 yu2 deng3 yu2 san1 shi2 she4 shi4 du4 shi2 qing3 zhu4 yi4 fang2 shu3"),
    ("误差≤0.1毫米", "wu4 cha1 xiao3 yu2 deng3 yu2 ling2 dian3 yi1 hao2 mi3"),
    ("精度为±0.01", "jing1 du4 wei2 zheng4 fu4 ling2 dian3 ling2 yi1"),
    ("酒精含量为5‰", "jiu3 jing1 han2 liang4 wei2 qian1 fen1 zhi1 wu3"),
    ("今天气温30°", "jin1 tian1 qi4 wen1 san1 shi2 du4"),
    ("向右转90°", "xiang4 you4 zhuan2|zhuan3 jiu3 shi2 du4"),
    ("发完记得@我", "fa1 wan2 ji4 de5 ai4 te4 wo3"),
    ("按#键确认", "an4 jing3 hao4 jian4 que4 ren4"),
    ("3+5=8", "san1 jia1 wu2|wu3 deng3 yu2 ba1"),
    ("2×3=6", "er4 cheng2 yi3 san1 deng3 yu2 liu4"),
    ("5>3", "wu3 da4 yu2 san1"),
    ("3<5", "san1 xiao3 yu2 wu3"),
    ("6÷2=3", "liu4 chu2 yi3 er4 deng3 yu2 san1"),
    ("我们一块儿去吧", "wo3 men5 yi2 kuair4 qu4 ba5"),
    ("你在这儿等我", "ni3 zai4 zher4 deng2 wo3"),
    ("这个小孩儿真可爱", "zhe4 ge4|ge5 xiao3 hair2 zhen1 ke3 ai4"),
    ("这个游戏挺好玩儿的", "zhe4 ge4|ge5 you2 xi4 ting2 hao3 wanr2 de5"),
    ("没事儿，别担心", "mei2 shir4 bie2 dan1 xin1"),
    ("我有点儿饿了", "wo3 you2 dianr3 e4 le5"),
    ("差点儿迟到", "cha4 dianr3 chi2 dao4"),
    ("老头儿每天都去公园", "lao3 tour2 mei3 tian1 dou1 qu4 gong1 yuan2"),
    ("好好儿学习", "hao3 haor1 xue2 xi2"),
    ("慢慢儿走", "man4 manr1 zou3"),
    ("给我来根冰棍儿", "gei2 wo3 lai2 gen1 bing1 gunr4"),
    ("这道菜的味儿不错", "zhe4 dao4 cai4 de5 weir4 bu2 cuo4"),
    ("她女儿上小学了", "ta1 nv3 er2 shang4 xiao3 xue2 le5"),
    ("幼儿园放学了", "you4 er2 yuan2 fang4 xue2 le5"),
    ("大伙儿都来了", "da4 huor3 dou1 lai2 le5"),
    ("一点儿也不累", "yi4 dianr2|dianr3 ye3 bu2 lei4"),
    ("买了一包瓜子儿", "mai3 le5 yi4 bao1 gua1 zir3"),
    ("远远儿地看着", "yuan3 yuanr1 de5 kan4 zhe5"),
    ("这道题挺好玩儿", "zhe4 dao4 ti2 ting2 hao3 wanr2"),
    ("我们慢慢走", "wo3 men5 man4 man4 zou3"),
]



@pytest.mark.parametrize(("text", "expected"), SURNAMES)
def test_surnames(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)


@pytest.mark.parametrize(("text", "expected"), WEI)
def test_wei(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)


@pytest.mark.parametrize(("text", "expected"), DIGITS)
def test_digit_strings(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)


@pytest.mark.parametrize(("text", "expected"), POLYPHONES_IN_CONTEXT)
def test_polyphones_in_context(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)


@pytest.mark.parametrize(("text", "expected"), NEUTRAL_BY_SENSE)
def test_neutral_tone_by_sense(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)


@pytest.mark.parametrize(("text", "expected"), SYMBOLS_AND_ERHUA)
def test_symbols_and_erhua(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)
