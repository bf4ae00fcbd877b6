"""The attribution cues as data: one row per phrasing ("told {O}", "selon {O}", "{O} reported"), each with examples.

`provenance.py` applies them around gazetteer mentions; `tests/test_provenance.py` checks every row against its examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Citation kinds, strongest first: when two cues fit one mention the earlier rule in CUE_RULES wins.
KINDS = ("statement", "told", "agency_wire", "report")
#: Paragraphs that make up the lead: a citation there carries the article's core claim (see story_provenance).
LEAD_PARAGRAPHS = 3
#: A cue must sit right next to the mention: 110 characters on the left hold the longest cue and filler
#: ("a indiqué une source policière proche du dossier à l'") and keep the per-mention regex work small.
LEFT_WINDOW = 110
RIGHT_WINDOW = 120

# --- building blocks ---------------------------------------------------------------------------

#: Between words: spaces and quotes; nothing after an elided article ("l'AFP").
SEP = r"(?:[\s„“”\"«»‚‘]+|(?<=['’]))"
_ART = (
    r"(?:the|The|a|an|An|A|der|die|das|dem|den|des|Der|Die|Das|Dem|le|la|les|Le|La|Les|l['’]|L['’]|el|El|los|las|"
    r"il|lo|gli|o|os|as|al|au|aux|du|del|do|da|à|a|ao|alla|al|della|dello|dall['’]|dal|dalla|ein|eine|einer|einem|un|une|una|uno|um|uma)"
)
_ADJ = (
    r"(?:state|state-run|state-owned|state-controlled|state-backed|government-run|pro-Kremlin|official|independent|"
    r"national|public|private|leading|major|local|regional|financial|business|conservative|liberal|popular|"
    r"investigative|online|mass-circulation|left-leaning|right-wing|influential|respected|"
    r"German|French|Spanish|Italian|Russian|Chinese|Japanese|Korean|South Korean|North Korean|Ukrainian|Indian|"
    r"American|US|U\.S\.|British|UK|Turkish|Iranian|Israeli|Qatari|Saudi|Austrian|Swiss|Dutch|Polish|Canadian|"
    r"Australian|Brazilian|Mexican|Argentine|Belgian|Portuguese|Greek|Egyptian|Pakistani|Arab|Western|"
    r"[A-Z][\w.]*(?:[ -][A-Z][\w.]*)?-(?:based|run|owned|controlled|backed|language)|"
    r"[a-z]+-(?:run|owned|controlled|backed|based|leaning|circulation|language)|"
    # German adjectives decline but keep these endings: "die staatliche russische Nachrichtenagentur".
    r"(?:US-)?[a-zäöü]+(?:ische|ischen|ischer|liche|lichen|licher)|"
    r"große|großen|bekannte|bekannten|renommierte|renommierten)"
)
_POSS = r"(?:[A-Z][\w.-]*['’]s)"
#: Nouns that say the source is a news agency: they turn a "report" cue into "agency_wire".
AGENCY_NOUNS = (
    r"(?:news agency|news agencies|press agency|wire agency|agency|wire service|newswire|wire|"
    r"Nachrichtenagentur|Presseagentur|Agentur|agence de presse|agence|agencia de noticias|agencia informativa|"
    r"agencia|agenzia di stampa|agenzia|agência de notícias|agência)"
)
_OUTLET_NOUNS = (
    r"(?:newspaper|paper|daily|weekly|tabloid|broadcaster|network|channel|television|TV|station|radio|"
    r"(?:[A-Z]{2,3}-)?(?:Sender|Nachrichtensender|Fernsehsender|Zeitung|Magazin)|news magazine|magazine|news site|news website|website|site|news outlet|outlet|publication|programme|program|"
    r"show|Zeitung|Tageszeitung|Wochenzeitung|Zeitschrift|Nachrichtenmagazin|Magazin|Sender|Fernsehsender|"
    r"Rundfunk|Boulevardzeitung|Boulevardblatt|Blatt|Nachrichtenportal|Portal|journal|quotidien|hebdomadaire|"
    r"chaîne|média|diario|periódico|rotativo|semanario|revista|cadena|televisión|emisora|canal|medio|portal|"
    r"quotidiano|giornale|settimanale|emittente|jornal|emissora)"
)
_DESC = rf"(?:{AGENCY_NOUNS}|{_OUTLET_NOUNS})"
#: Romance adjectives follow the noun: "l'agence ukrainienne", "el diario británico", "la agencia rusa".
_POSTADJ = r"(?:(?!(?:que|qui|dont|por|par|para|pour|con|avec|with|that|which)\b)[a-zà-ÿ]{3,})"
#: What may stand between a cue and the outlet: articles, adjectives, a possessive, one descriptor noun.
FILLER = rf"(?:(?:{_ART}|{_ADJ}|{_POSS}){SEP})*(?:{_DESC}{SEP}(?:{_POSTADJ}{SEP}){{0,2}})?"
FILLER_TOKEN = re.compile(rf"(?:{_ART}|{_ADJ}|{_DESC})")
AGENCY_RX = re.compile(rf"\b{AGENCY_NOUNS}\b")
#: "told CNN in a statement": a told/report cue followed by this is a statement.
STATEMENT_AFTER = re.compile(
    r"^[\s„“”\"«»,]*(?:[\w'’]+\s+){0,3}?(?:in an? (?:written |emailed |e-mailed )?statement|"
    r"in einer (?:schriftlichen )?(?:Erklärung|Stellungnahme|Mitteilung)|dans un communiqué|en un comunicado)\b"
)
#: Capitalized words that may follow an outlet without making it part of a longer name ("told CNN Monday").
FOLLOWER_OK = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag Sonnabend "
    "Januar Februar März Mai Juni Juli Oktober Dezember TV".split()
)


@dataclass(frozen=True)
class CueRule:
    """One attribution phrasing. `side` says where the cue sits relative to the outlet mention.

    left:  `pattern` (the cue) must end, followed only by FILLER, right where the mention starts.
    right: `pattern` must match at the start of the text right after the mention.
    paren: the mention is in parentheses inside a sentence, "(AFP)": a credit line of an agency.
    `matches`: sentences holding exactly one citation of this rule's kind; `misses`: sentences with none.
    """

    name: str
    kind: str
    side: str
    pattern: str
    languages: tuple[str, ...]
    matches: tuple[str, ...] = ()
    misses: tuple[str, ...] = ()
    #: Right-hand cues that only reporting verbs satisfy: safe next to a surname-like alias ("Bloomberg").
    strong: bool = True


def _r(name: str, kind: str, side: str, pattern: str, langs: str, matches=(), misses=(), strong: bool = True) -> CueRule:
    return CueRule(name, kind, side, pattern, tuple(langs.split()), tuple(matches), tuple(misses), strong)


_SAY_EN = r"(?:said|says|wrote|writes|added|announced|responded|confirmed)"
_VERB_DE = r"(?:sagte|sagt|erklärte|erklärt|betonte|betont|bestätigte|bestätigt|versicherte|kündigte|räumte|warnte|sagten|erklärten)"
_VERB_FR = (
    r"(?:déclaré|indiqué|affirmé|confié|expliqué|précisé|assuré|raconté|dit|annoncé|souligné|estimé|répondu|"
    r"ajouté|reconnu|confirmé|déclare|indique|affirme|confie|explique|précise|assure|raconte|dit)"
)
_VERB_ES = (
    r"(?:dijo|declaró|afirmó|aseguró|explicó|indicó|señaló|confirmó|contó|reconoció|admitió|advirtió|manifestó|"
    r"comentó|relató|precisó|detalló|dice|declara|afirma|asegura|explica)"
)
_VERB_IT = r"(?:ha detto|ha dichiarato|ha spiegato|ha affermato|ha raccontato|ha confermato|dice|dichiara|spiega)"
_VERB_PT = r"(?:disse|afirmou|declarou|contou|explicou|confirmou|garantiu|diz|afirma)"
_FEW_WORDS = r"(?:\s+[\w'’.,-]+){0,5}?"  # "a indiqué une source policière à l'AFP"
_FEW_WORDS_NC = r"(?:\s+[\w'’.-]+){0,4}?"  # no comma: "Sie sagte, der Spiegel ..." is not an interview

#: Ordered: the first rule whose cue fits a mention decides its kind (statement before told before report).
CUE_RULES: tuple[CueRule, ...] = (
    # --- statement: a written statement that reached us through the outlet -------------------
    _r("en-statement-to", "statement", "left",
       rf"\b(?:{_SAY_EN}\s+)?in an? (?:written |emailed |e-mailed |brief )?statement (?:(?:sent|provided|given|emailed|e-mailed|released) )?to"
       rf"|\ba statement (?:sent |provided |given |emailed |e-mailed )?to",
       "en", ["TikTok said in a statement to The New York Times that the bill was a ban.",
              "In a statement provided to CNN, the company denied wrongdoing."],
       ["The company issued a statement on Monday, the New York Times reported."]),
    _r("en-statement-according", "statement", "left",
       r"\bin an? (?:written |emailed )?statement,?\s+according to", "en",
       ["A spokesperson said in a statement, according to CNN, that talks were early."]),
    _r("de-statement", "statement", "left",
       r"\bin einer (?:schriftlichen )?(?:Erklärung|Stellungnahme|Mitteilung) (?:an|gegenüber)", "de",
       ["Das Ministerium teilte in einer Erklärung gegenüber der dpa mit, man prüfe den Fall."]),
    _r("fr-statement", "statement", "left",
       r"\bdans (?:un|une) (?:communiqué|message|courriel|déclaration écrite|déclaration) "
       r"(?:transmise?|envoyée?|adressée?|remise?)?\s*(?:à|au|aux)", "fr",
       ["Dans un communiqué transmis à l'AFP, l'entreprise regrette la grève."]),
    _r("es-statement", "statement", "left",
       r"\ben un (?:comunicado|mensaje|correo(?: electrónico)?|escrito) (?:enviado|remitido|difundido|facilitado)?\s*(?:a|al)"
       r"|\ben un comunicado,? según", "es pt",
       ["En un comunicado enviado a EFE, el ministerio condenó el ataque."]),
    # --- told: somebody spoke to the outlet ------------------------------------------------------
    _r("en-told", "told", "left",
       r"\b(?:told|tells|telling|confirmed to|explained to|said to|confided to|admitted to)", "en",
       ["The city's mayor told the New York Times last week that the north was abandoned.",
        "Sen. Patty Murray told The Associated Press on Thursday that she expected a vote.",
        "House Speaker Mike Johnson told CNN's Jake Tapper on Sunday that a vote would come."],
       ["He told reporters that the plan would go ahead.", "Mayor Bloomberg told reporters he would give."]),
    _r("en-interview", "told", "left",
       r"\b(?:in|during) an? (?:exclusive |recent |televised |phone |telephone |lengthy |rare )?interview (?:with|on)"
       r"|\b[Ii]nterview(?:ed)? (?:with|by)|\b[Ss]peaking (?:to|with|on)|\b[Ss]poke (?:to|with)|\b[Tt]alking to"
       r"|\b[Aa]sked by|\b(?:comments|remarks) (?:to|on)|\b[Ww]riting (?:in|for)|\bappearing on|\bon (?:air|camera) with", "en",
       ["In an interview with Al Jazeera, the Qatari prime minister said talks were stalling.",
        "Asked by Sky News whether he would resign, the minister said no.",
        "The chancellor, speaking to the BBC's Today programme, said there was no room."]),
    _r("de-told-gegenueber", "told", "left",
       r"\bgegenüber|\b(?:im|in einem|Im) (?:Gespräch|Interview|Telefonat|Podcast) (?:mit|bei)|\binterviewt von", "de",
       ["Ein Sprecher erklärte gegenüber der Deutschen Presse-Agentur, man beobachte die Lage.",
        "Im Interview mit dem ZDF sagte die Witwe, sie werde weitermachen."]),
    _r("de-told-sagte-dem", "told", "left",
       rf"\b{_VERB_DE}{_FEW_WORDS_NC}\s+(?:dem|der|den)", "de",
       ["„Wir müssen kriegstüchtig werden“, sagte der Minister der „Bild am Sonntag“.",
        "Er sagte dem „Tagesspiegel“, Deutschland werde nicht Kriegspartei."],
       ["Sie sagte, der Spiegel im Flur sei ein Erbstück."]),
    _r("fr-told", "told", "left",
       rf"\b(?:a|ont|avait|aurait|avaient)?\s*{_VERB_FR}{_FEW_WORDS}\s+(?:à|au|aux|sur)"
       r"|\b(?:dans|lors d['’]?)\s*(?:un|une) (?:entretien|interview)(?: exclusif| exclusive)?(?: accordée?)? (?:à|au|avec)"
       r"|\binterrogée?s? par|\binterviewée?s? par|\bau micro (?:de|du)|\bsur le plateau (?:de|du)|\bsur l['’]antenne (?:de|du)", "fr",
       ["« Les flammes sont parties du rez-de-chaussée », a indiqué une source policière à l'AFP.",
        "Dans un entretien accordé au Journal du dimanche, l'ancien président a jugé la situation dangereuse.",
        "Le ministre des Armées a affirmé au Figaro que la France ne laissera pas tomber Kiev.",
        "Le préfet a déclaré sur RTL que le feu était fixé."],
       ["Tout le monde était présent dimanche pour les 80 ans de la Libération de Rennes."]),
    _r("es-told", "told", "left",
       rf"\b{_VERB_ES}{_FEW_WORDS}\s+(?:a|al)|\ben declaraciones (?:a|al|para)|\ben (?:una )?entrevista (?:con|concedida a|a|al)"
       r"|\bentrevistad[oa]s? por|\b(?:[Ee]n|[Aa]l) (?:los )?micrófonos? de", "es",
       ["«No podemos bajar la guardia», dijo a Europa Press el consejero.",
        "La líder opositora declaró a la cadena CNN que no renunciará.",
        "En una entrevista con El Mundo, el expresidente aseguró que la fecha no es casual."]),
    _r("it-told", "told", "left",
       rf"\b{_VERB_IT}{_FEW_WORDS}\s+(?:a|al|alla|ai|allo)|\bin un['’]intervista (?:a|al|alla|con)", "it",
       ["«È una riforma storica», ha detto la premier al Tg1."]),
    _r("pt-told", "told", "left",
       rf"\b{_VERB_PT}{_FEW_WORDS}\s+(?:à|ao|a|aos)|\bem entrevista (?:à|ao|a|com)", "pt",
       ["O ministro disse à Folha que a decisão foi técnica."]),
    # --- agency_wire: material credited to a news agency --------------------------------------
    _r("contributed", "agency_wire", "right",
       r"^(?:\s+(?:writers?|reporters?|staff|correspondents?))?\s+contributed\s+(?:reporting\s+)?to\s+(?:this|the)\s+(?:report|story|article)",
       "en", ["The Associated Press contributed to this report."]),
    _r("with-material", "agency_wire", "left",
       r"\b(?:[Mm]it Material (?:von|der|des)|[Aa]vec|[Cc]on información de|[Ww]ith (?:files|reporting|material) from)", "de fr es en",
       ["Mit Material von dpa und AFP.", "With files from Reuters."]),
    _r("paren-credit", "agency_wire", "paren", r"", "xx",
       ["Le ministre a démissionné lundi soir (AFP)."],
       ["Tornadoes tore through central Ohio late Thursday. (AP Photo/Joshua A. Bickel)"]),
    # --- report: the outlet reported it ---------------------------------------------------------
    _r("en-according-to", "report", "left",
       r"\b[Aa]ccording to(?: (?:a|an|the) (?:new |recent |latest |draft |leaked )?(?:report|story|article|investigation|analysis|"
       r"tally|count|survey|poll|draft|document|memo|interview|broadcast)s?(?: (?:by|in|from|on|of|published by))?)?", "en",
       ["The gift is the largest ever, according to Bloomberg News, which is owned by him.",
        "The figures echo those published last month, according to a report by Reuters news agency."],
       ["According to the Reuters Institute for the Study of Journalism, trust has stabilised."]),
    _r("en-reported-by", "report", "left",
       r"\b(?:first |originally |previously |earlier |was |were |been )?(?:reported|revealed|broken|cited|quoted|published|broadcast|aired)"
       r" (?:by|in|on)|\b(?:seen|obtained|reviewed|verified|viewed|confirmed|analy[sz]ed) by", "en",
       ["The vote was scheduled after the plan was first reported by Axios.",
        "Documents obtained by ProPublica show that the company lobbied.",
        "Policymakers lean towards a cut, according to a draft seen by Reuters."]),
    _r("en-a-report-by", "report", "left",
       r"\b(?:[Aa]|[Aa]n|[Tt]he|[Aa]nother) (?:new |recent |separate |earlier |later )?(?:report|story|article|investigation|analysis|"
       r"review|tally|count|survey|poll|reports) (?:by|in|from|on|of)", "en",
       ["A report on Kyiv Independent said the missile hit a building."]),
    _r("en-citing", "report", "left", r"\b(?:[Cc]iting|[Pp]er|[Vv]ia|[Qq]uoting|[Rr]eports? (?:from|by|in))", "en",
       ["Per Axios, the White House was preparing a statement.",
        "The paper, citing Reuters, said the talks had stalled."]),
    _r("de-laut", "report", "left",
       r"\b(?:[Ll]aut|[Nn]ach (?:Angaben|Informationen|Berichten|Recherchen|Darstellung) (?:der|des|von|vom)|"
       r"[Uu]nter Berufung auf|[Zz]itiert von|[Bb]erichtet von|[Ww]ie (?:zuerst |zuvor |bereits )?(?:von|vom)|"
       r"(?:[Ll]aut|[Nn]ach) (?:einem |einer )?(?:Bericht|Meldung|Recherche|Informationen) (?:der|des|von|vom))", "de",
       ["Laut Reuters könnten bis zu 10.000 Stellen betroffen sein.",
        "Laut einem Bericht der „New York Times“ wurde ein Stützpunkt getroffen.",
        "Nach Informationen des „Spiegels“ hat das Ministerium die Bestellung gestoppt."]),
    _r("de-berichtete", "report", "left",
       r"\b(?:berichtet|berichtete|berichten|berichteten|meldet|meldete|melden|meldeten|schreibt|schrieb|zitiert|zitierte|"
       r"enthüllte|veröffentlichte)", "de",
       ["Das berichtete die Nachrichtenagentur dpa unter Berufung auf Kreise des Ministeriums.",
        "Das meldete der US-Sender ABC News unter Berufung auf einen Beamten."]),
    _r("fr-selon", "report", "left",
       r"\b(?:[Ss]elon|[Dd]['’]après|[Cc]itée?s? par|[Rr]apportée?s? par|[Rr]évélée?s? par|[Dd]ans les colonnes (?:de|du)|"
       r"(?:a |ont |avait )?(?:rapporté|rapporte|révélé|révèle|annoncé|annonce|indiqué|indique|écrit|écrivait|"
       r"affirmé|affirme|précisé|précise|relaté|relate|confirmé|confirme|appris|apprend|publié|publie|cité|cite))", "fr",
       ["Un incendie a fait deux morts, selon l'AFP.", "Les syndicats réclament une prime de 400 euros, rapporte Libération.",
        "L'enquête a été confiée à la police judiciaire, a rapporté l'agence Reuters."],
       ["Tout le monde était présent dimanche."]),
    _r("es-segun", "report", "left",
       r"\b(?:[Ss]egún|[Dd]e acuerdo (?:con|a)|[Cc]onforme a|[Cc]itad[oa]s? por|[Pp]ublicad[oa]s? por|[Rr]evelad[oa]s? por|"
       r"[Cc]onsultad[oa]s? por|[Aa]delantad[oa]s? por|[Dd]ifundid[oa]s? por|[Rr]ecogid[oa]s? por|"
       r"informó|informa|informaron|publicó|publica|reveló|revela|recoge|recogió|reportó|reporta|adelantó|adelanta|"
       r"difundió|difunde)", "es",
       ["Cataluña prorrogará la emergencia, según informó la agencia EFE.",
        "De acuerdo con The Washington Post, Washington estudia sanciones.",
        "La noticia fue adelantada por El Confidencial."],
       ["El País Vasco registró en febrero un récord de visitantes."]),
    _r("it-secondo", "report", "left",
       r"\b(?:[Ss]econdo|[Cc]ome (?:riferisce|riporta|scrive)|riferisce|riporta|scrive|ha riferito|ha riportato|ha scritto|"
       r"rivela|ha rivelato|(?:citat[oa]|riportat[oa]|riferit[oa]) d(?:a|al|alla|all['’]))", "it",
       ["Secondo il Corriere della Sera, il voto è previsto entro l'estate.",
        "Il governo ha approvato il decreto, secondo quanto riportato dall'ANSA."]),
    _r("pt-segundo", "report", "left",
       r"\b(?:[Ss]egundo|[Dd]e acordo com|[Cc]onforme|informou|noticiou|publicou|revelou|divulgou)", "pt",
       ["A Petrobras decidiu não pagar dividendos, segundo a agência Reuters."]),
    _r("en-reported", "report", "right",
       r"^[\s„“”\"»]*(?:(?:news agency|agency|newspaper|magazine|daily|tabloid|broadcaster|website|news site|television|TV)\s+)?"
       r"(?:,\s*which\s+)?(?:(?:has|had|have|was|were|is|first|earlier|also|previously|exclusively|later|then|separately|"
       r"originally|on \w+day)\s+)*(?:reported|reports|report(?=\s+(?:that|on)\b)|revealed|reveals|(?:the )?first to report)\b",
       "en", ["The Washington Post, which first reported the memo, said it had circulated.",
              "Last year the onset was delayed by a week, the Hindustan Times reported.",
              "Semafor was first to report the size of the deal."]),
    _r("en-said", "report", "right",
       r"^[\s„“”\"»]*(?:(?:news agency|agency|newspaper|magazine|daily|tabloid|broadcaster|website|news site|television|TV)\s+)?"
       r"(?:,\s*(?:a|an|the)\s+[^,]{1,60},\s*)?(?:(?:has|had|also|earlier|later|separately|on \w+day)\s+)*(?:said|says|wrote|writes|learned|learnt|has learned|"
       r"understands|cited|cites|quoted|quotes|obtained|published|broke|confirmed|disclosed|found|calculated|estimated)\b",
       "en", ["CNN said the vote had exposed deep divisions.", "The Global Times, a state-run tabloid, said the visit would focus on trade.",
              "Interfax cited a source in the Foreign Ministry as saying contacts continued."],
       ["Michael Bloomberg said on Monday he would give $1bn.", "Iran's Guardian Council said on Sunday it disqualified dozens."],
       strong=False),
    _r("en-reporting-noun", "report", "right",
       r"^(?:['’]s\s+(?:own\s+)?)?\s*(?:[a-z-]+\s+)?(?:correspondents?|reporters?|journalists?|photographers?|team|crew|"
       r"tally|count|analysis|investigation|review|survey|poll|calculations?|reporting)\b", "en",
       ["An AFP correspondent in Rafah saw dozens of trucks queueing."],
       ["Students who sat the AP Biology exam will receive their scores late."]),
    _r("de-berichtet-right", "report", "right",
       r"^[\s„“”\"»]*(?:(?:hatte|hat|haben|hatten)\s+)?(?:(?:zuerst|zuvor|bereits|vorab|exklusiv|am \w+)\s+)*"
       r"(?:berichtet|berichtete|berichten|berichteten|meldet|meldete|melden|schreibt|schrieb|zitiert|zitierte|erfuhr|"
       r"erfahren|zufolge|enthüllte|veröffentlichte)\b"
       r"|^[\s„“”\"»]*(?:(?:hatte|hat)\s+)?(?:(?:zuerst|zuvor|bereits)\s+)?über\s+[^.;:!?]{1,80}?\s+berichtet", "de",
       ["Wie die „Süddeutsche Zeitung“ berichtet, sollen 5000 Menschen eingezogen werden.",
        "Dem „Handelsblatt“ zufolge hat der Vorstand die Pläne vorgestellt.",
        "Zuvor hatte die „Kronen Zeitung“ über Einsparungen bei den Förderungen berichtet."],
       ["Die Welt schaut auf München, sagt er.", "Der Spiegel zerbrach beim Transport."]),
    _r("fr-rapporte-right", "report", "right",
       r"^[\s„“”\"»]*(?:(?:a|ont|avait|aurait)\s+)?(?:rapporté|rapporte|révélé|révèle|appris|apprend|écrit|annoncé|annonce|"
       r"publié|publie|affirmé|affirme)\b", "fr",
       ["L'AFP a appris de source policière que le suspect avait été interpellé."]),
    _r("es-informo-right", "report", "right",
       r"^[\s„“”\"»]*(?:(?:ha|había|han)\s+)?(?:informó|informa|informado|publicó|publica|publicado|reveló|revela|revelado|"
       r"adelantó|adelanta|adelantado|reportó|reporta|reportado|recoge|recogió|difundió|difunde)\b", "es pt",
       ["La AP publicó que la ultraderecha cuadruplicó sus escaños."]),
    _r("it-riferisce-right", "report", "right",
       r"^[\s„“”\"»]*(?:ha\s+)?(?:riferito|riferisce|riporta|riportato|scrive|scritto|rivela|rivelato)\b", "it",
       ["Il Corriere della Sera scrive che il voto è previsto entro l'estate."]),
    _r("pt-informou-right", "report", "right",
       r"^[\s„“”\"»]*(?:informou|noticiou|publicou|revelou|divulgou|informa|noticia|publica|revela)\b", "pt",
       ["A Folha noticiou que o ministro vai deixar o cargo."]),
)

#: Phrases that show an article did its own reporting, beyond citing itself ("told the Guardian").
ORIGINAL_MARKERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("exclusive", r"^(?:EXCLUSIVE|Exclusive|EXKLUSIV|Exklusiv|EXCLUSIF|EXCLUSIVA)\b\s*[:\-–—|]",
     ("EXCLUSIVE: Minister to quit over expenses",)),
    ("own-correspondent",
     r"\b(?:[Oo]ur (?:own )?(?:correspondent|reporter|team|reporters)|[Uu]nser(?:e|em|er)? (?:Korrespondent(?:in)?|Reporter(?:in)?)|"
     r"[Nn]otre (?:envoyée? spéciale?|correspondante?|journaliste)|[Nn]uestr[oa] (?:corresponsal|enviad[oa] especial))\b",
     ("Our correspondent in Kyiv saw the damage.", "Notre envoyée spéciale à Gaza a pu constater les dégâts.")),
    ("reporting-from", r"\breporting from\b|\bberichtet aus\b|\bdepuis (?:Kiev|Gaza|Jérusalem)\b(?=,\s)",
     ("Al Jazeera's Hiba Morgan, reporting from Khartoum, said thousands had fled.",)),
)

#: Words that make a capitalized token before a mention part of a longer name ("Michael Bloomberg").
_LANGS_WITH_RULES = frozenset(lang for rule in CUE_RULES for lang in rule.languages if lang != "xx")


def rules_for(language: str | None) -> tuple[CueRule, ...]:
    """The cue rules to try for an article language; all of them when the language is unknown or unsupported."""
    if not language or language not in _LANGS_WITH_RULES:
        return CUE_RULES
    return tuple(r for r in CUE_RULES if language in r.languages or "xx" in r.languages)
