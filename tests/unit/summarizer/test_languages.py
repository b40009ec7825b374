"""Stop-word lists beyond the first seven languages: the language is guessed and its stop words are never
keywords. The short articles are written for these tests."""

import pytest
from newsdigest.summarizer import summarize
from newsdigest.summarizer.language import stopwords

ARTICLES = {
    "ru": (
        "Городской совет в понедельник утвердил новый план строительства моста через реку. "
        "По словам мэра, строительство моста начнется весной и продлится два года. "
        "Жители города давно ждали этого решения, потому что старый мост закрыт на ремонт. "
        "Стоимость моста составит около трех миллиардов рублей, и часть денег выделит область."
    ),
    "pl": (
        "Rada miasta w poniedziałek przyjęła nowy plan budowy mostu na rzece. "
        "Według prezydenta miasta budowa mostu zacznie się wiosną i potrwa dwa lata. "
        "Mieszkańcy czekali na tę decyzję od dawna, ponieważ stary most jest zamknięty. "
        "Koszt mostu wyniesie około trzystu milionów złotych, a część pieniędzy da województwo."
    ),
    "sv": (
        "Kommunfullmäktige godkände på måndagen en ny plan för att bygga en bro över älven. "
        "Enligt kommunalrådet ska bygget av bron börja i vår och pågå i två år. "
        "Invånarna har länge väntat på beslutet eftersom den gamla bron är stängd för reparation. "
        "Bron kommer att kosta omkring trehundra miljoner kronor och regionen betalar en del."
    ),
    "tr": (
        "Belediye meclisi pazartesi günü nehir üzerine yeni bir köprü yapılması planını onayladı. "
        "Belediye başkanına göre köprü inşaatı ilkbaharda başlayacak ve iki yıl sürecek. "
        "Şehir sakinleri bu kararı uzun süredir bekliyordu çünkü eski köprü onarım için kapalı. "
        "Köprünün maliyeti yaklaşık üç yüz milyon lira olacak ve bir kısmını valilik ödeyecek."
    ),
    "ar": (
        "وافق المجلس البلدي يوم الاثنين على خطة جديدة لبناء جسر فوق النهر. "
        "وقال رئيس البلدية إن بناء الجسر سيبدأ في الربيع وسيستمر عامين. "
        "وكان السكان ينتظرون هذا القرار منذ فترة طويلة لأن الجسر القديم مغلق للإصلاح. "
        "وستبلغ تكلفة الجسر نحو ثلاثمائة مليون دينار وستدفع المحافظة جزءا منها."
    ),
}


@pytest.mark.parametrize("language", sorted(ARTICLES))
def test_language_is_guessed_and_its_stop_words_are_not_keywords(language):
    summary = summarize(ARTICLES[language])
    assert summary.status == "ready"
    assert summary.language == language
    assert summary.keywords
    stop = stopwords(language)
    assert stop  # a list ships for the language
    assert not [k for k in summary.keywords if k.lower() in stop]
