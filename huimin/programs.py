"""The assistance programs the "一件事" joint application can fan out to.

One vocabulary shared by the API, the eligibility rules and the dialogue.
"""

from __future__ import annotations

from enum import StrEnum


class Program(StrEnum):
    DIBAO = "dibao"
    DIBAO_EDGE = "dibao_edge"
    TEKUN = "tekun"
    RIGID_EXPENDITURE = "rigid_expenditure"
    TEMPORARY = "temporary"
    MEDICAL = "medical"
    EDUCATION = "education"
    HOUSING = "housing"
    EMPLOYMENT = "employment"
    DISABILITY_LIVING = "disability_living"
    DISABILITY_CARE = "disability_care"
    ELDER_CARE_SUBSIDY = "elder_care_subsidy"
    ELDERLY_ALLOWANCE = "elderly_allowance"
    # 幸福颐养 (elder care): applications that join the "一件事" bundle
    HOME_CARE_BED = "home_care_bed"
    HOME_ADAPTATION = "home_adaptation"
    CARE_HOME_ADMISSION = "care_home_admission"
    ABILITY_ASSESSMENT = "ability_assessment"

    @property
    def label(self) -> str:
        return PROGRAM_LABELS[self]


PROGRAM_LABELS: dict[Program, str] = {
    Program.DIBAO: "最低生活保障(低保)",
    Program.DIBAO_EDGE: "低保边缘家庭救助",
    Program.TEKUN: "特困人员救助供养",
    Program.RIGID_EXPENDITURE: "刚性支出困难家庭救助(支出型)",
    Program.TEMPORARY: "临时救助",
    Program.MEDICAL: "医疗救助",
    Program.EDUCATION: "教育救助",
    Program.HOUSING: "住房救助",
    Program.EMPLOYMENT: "就业救助",
    Program.DISABILITY_LIVING: "困难残疾人生活补贴",
    Program.DISABILITY_CARE: "重度残疾人护理补贴",
    Program.ELDER_CARE_SUBSIDY: "养老服务补贴",
    Program.ELDERLY_ALLOWANCE: "高龄津贴",
    Program.HOME_CARE_BED: "家庭养老床位",
    Program.HOME_ADAPTATION: "老年人居家适老化改造",
    Program.CARE_HOME_ADMISSION: "养老机构入住(兜底保障)",
    Program.ABILITY_ASSESSMENT: "老年人能力评估",
}

# Words residents use for each program (for parsing free text and for entity synonyms).
PROGRAM_ALIASES: dict[Program, tuple[str, ...]] = {
    Program.DIBAO: ("低保", "最低生活保障", "低保户"),
    Program.DIBAO_EDGE: ("低保边缘", "低边", "低保边缘户"),
    Program.TEKUN: ("特困", "特困供养", "特困人员", "五保"),
    Program.RIGID_EXPENDITURE: ("刚性支出", "支出型", "支出型贫困", "刚性支出困难"),
    Program.TEMPORARY: ("临时救助", "急难救助", "临时补助"),
    Program.MEDICAL: ("医疗救助", "看病救助", "医疗补助"),
    Program.EDUCATION: ("教育救助", "助学", "上学补助"),
    Program.HOUSING: ("住房救助", "住房补助", "危房改造"),
    Program.EMPLOYMENT: ("就业救助", "找工作", "就业帮扶"),
    Program.DISABILITY_LIVING: ("困难残疾人生活补贴", "残疾人生活补贴"),
    Program.DISABILITY_CARE: ("重度残疾人护理补贴", "残疾人护理补贴", "护理补贴"),
    Program.ELDER_CARE_SUBSIDY: ("养老服务补贴", "居家养老补贴", "养老补贴"),
    Program.ELDERLY_ALLOWANCE: ("高龄津贴", "高龄补贴", "老年津贴"),
    Program.HOME_CARE_BED: ("家庭养老床位", "家庭照护床位", "养老床位"),
    Program.HOME_ADAPTATION: ("适老化改造", "居家适老化改造", "适老化", "家里改造"),
    Program.CARE_HOME_ADMISSION: ("养老机构入住", "住养老院", "进养老院", "入住养老院"),
    Program.ABILITY_ASSESSMENT: ("能力评估", "老年人能力评估", "失能评估", "需求评估"),
}


class ElderBenefit(StrEnum):
    """Elder-care benefits the eligibility rules judge that are not "一件事" applications: meal
    subsidies are used at the canteen, the consumption subsidy is claimed on the national
    platform (民政通)."""

    MEAL_SUBSIDY = "meal_subsidy"
    CARE_CONSUMPTION_SUBSIDY = "care_consumption_subsidy"

    @property
    def label(self) -> str:
        return ELDER_BENEFIT_LABELS[self]


ELDER_BENEFIT_LABELS: dict[ElderBenefit, str] = {
    ElderBenefit.MEAL_SUBSIDY: "老年助餐补贴",
    ElderBenefit.CARE_CONSUMPTION_SUBSIDY: "养老服务消费补贴",
}


# What a rule of the eligibility table judges: an application program or an elder-care benefit.
Judged = Program | ElderBenefit


def program_from_text(text: str) -> Program | None:
    """Map a code, a label or a resident's word to the program (longest alias first)."""
    value = text.strip()
    try:
        return Program(value)
    except ValueError:
        pass
    candidates = [
        (alias, program) for program, aliases in PROGRAM_ALIASES.items() for alias in aliases
    ]
    for alias, program in sorted(candidates, key=lambda pair: -len(pair[0])):
        if alias in value:
            return program
    return None
