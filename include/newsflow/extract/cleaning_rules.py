"""The cleaning rules as data: one row per kind of debris, each with examples it must remove and keep.

`clean.py` applies them; `tests/test_extract_rules.py` checks every row against its own examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A promo line ("Also read: <headline>") is a headline, not a paragraph: longer lines are prose.
PROMO_MAX_WORDS = 30
#: Label-like lines ("Advertisement", "Photo: AFP") are short; a long line that happens to
#: start the same way is prose.
LABEL_MAX_WORDS = 14
#: A DOM rule never removes an element holding more than this share of the page's text:
#: a wrapper that happens to carry a matching class is the article, not debris.
DOM_MAX_TEXT_SHARE = 0.3
#: Tail rules only fire in the last part of the text, so a stray match near the top
#: cannot cut the article.
TAIL_START_FRACTION = 0.5

#: HEAD rules look at no more than this many lines at the start of the text ...
HEAD_MAX_LINES = 3
#: ... and END rules at no more than this many lines at its end.
END_MAX_LINES = 6

#: What a rule does with a matching line.
LINE = "line"  # drop the line wherever it is
HEAD = "head"  # drop the line only among the leading lines (datelines, bylines)
END = "end"  # drop the line only among the trailing lines (credits, "follow us")
TAIL = "tail"  # drop the line and everything after it (only in the tail of the text)
BLOCK = "block"  # drop a bare label ("Related:") and the list items ("- ...") right after it

_SEP = r"\s*[:：|>»›\-–—]+\s*"  # the separator after "Also read", "Lire aussi", ...


@dataclass(frozen=True)
class Rule:
    """One cleaning rule. `pattern` is matched against a whole stripped line (re.fullmatch)."""

    name: str
    kind: str  # LINE, HEAD, END, TAIL or BLOCK
    pattern: re.Pattern[str]
    removes: tuple[str, ...]  # example lines the rule must remove
    keeps: tuple[str, ...] = ()  # example lines of real prose that must survive
    max_words: int = LABEL_MAX_WORDS  # lines longer than this are never touched


def _rx(pattern: str, flags: int = re.I) -> re.Pattern[str]:
    return re.compile(pattern, flags | re.U)


_MONTH = (
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni|juli|okt|dez|"
    r"janv|févr|mars|avr|juin|juil|août|déc|ene|abr|ago|dic|fev|mai|set|out|dez|gen|giu|lug|ott)[a-zéû]*\.?"
)
_DATE = (
    r"(\d{1,2}(:|h)\d{2}\s*(am|pm|a\.m\.|p\.m\.|uhr)?|\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}|"
    + _MONTH + r"\s+\d{1,2},?\s+\d{4}|\d{1,2}\.?\s+(de\s+)?" + _MONTH + r"\s+(de\s+)?\d{4}|\d{4}年\d{1,2}月)"
)
#: Leading/trailing label lines never end like a sentence.
_NOT_A_SENTENCE = r"(?!.*[.!?\"”»]$)"

RULES: tuple[Rule, ...] = (
    Rule(
        "inline-promo",
        LINE,
        _rx(
            r"[\[(]?(also read|read also|read more|read next|more reading|see also|also see|related|related articles?|"
            r"related stories|related coverage|recommended|more from [\w .]+|more on this( story)?|don'?t miss|"
            r"must read|editor'?s picks?|trending|top stories|more stories|also on [\w .]+|you may also like|"
            r"lesen sie auch|lesen sie mehr|auch interessant|mehr zum thema|zum thema|weiterlesen|das könnte sie auch interessieren|"
            r"(à |a )?lire aussi|lire la suite|voir aussi|sur le même sujet|à voir aussi|"
            r"lee también|lea también|leer más|lee más|te puede interesar|ver también|noticias relacionadas|relacionado|"
            r"leia também|leia mais|veja também|saiba mais|"
            r"leggi anche|leggi tutto|potrebbe interessarti|"
            r"читайте также|читайте еще|смотрите также|по теме|"
            r"baca juga|simak juga|lihat juga|berita terkait|"
            r"関連記事|あわせて読みたい|관련\s?기사|함께 읽기)" + _SEP + r"\S.*|"
            r"also on [\w-]+\.[a-z]{2,6}\s+\S.*"
        ),
        removes=(
            "Also read: Markets rally as inflation cools",
            "READ MORE: Five things to know about the budget",
            "RELATED: Senate passes the bill",
            "Lesen Sie auch: Die Bahn streikt wieder",
            "À lire aussi : La réforme des retraites adoptée",
            "Lee también: El Gobierno aprueba los presupuestos",
            "Leia também: Governo anuncia novo pacote",
            "Читайте также: Цены на нефть выросли",
            "Baca juga: Harga minyak naik lagi",
            "[Related: Salesforce keynote: AI, integration and protesters]",
            "Also on rt.com Journalists threatened with arrests as the purge widens",
        ),
        keeps=(
            "Read more than 300 pages of the report and you will find the same conclusion.",
            "Related: the two cases were linked by investigators, who said that the suspect had travelled to both cities in the weeks before the attacks took place, and that the same weapon was used.",
            "Reading the report, officials said little had changed.",
        ),
        max_words=PROMO_MAX_WORDS,
    ),
    Rule(
        "promo-caps",  # "ALSO SEE Headline" without a separator: only in capitals, so prose is safe
        LINE,
        _rx(r"(ALSO SEE|ALSO READ|READ MORE|SEE ALSO|RELATED|WATCH|LISTEN|MORE|LESEN SIE AUCH|LIRE AUSSI|LEE TAMBIÉN|LEIA TAMBÉM|BACA JUGA)\b[^a-z]?\s+\S.*", 0),
        removes=("ALSO SEE The best phones of the year", "BACA JUGA Harga minyak naik lagi"),
        keeps=("Read the room, the minister told colleagues on Tuesday.", "Watch closely how the market reacts, analysts said."),
        max_words=PROMO_MAX_WORDS,
    ),
    Rule(
        "advertisement-label",
        LINE,
        _rx(
            r"(advertisement|advertising|sponsored( content)?|ad|anzeige|werbung|publicité|publicidad|publicidade|"
            r"pubblicità|реклама|iklan|広告|광고|"
            r"(story|article|text) continues (below|after)( the)? (advertisement|ad)|continue reading (the main story|below)|"
            r"scroll to continue with content|advertisement - scroll to continue|"
            r"weiter nach der anzeige|la suite après (cette|la) publicité|sigue leyendo|continúa leyendo|"
            r"continua depois da publicidade)[\s.:]*"
        ),
        removes=("Advertisement", "ADVERTISEMENT", "Anzeige", "Publicité", "Publicidad", "Story continues below advertisement"),
        keeps=("Advertising revenue fell by 12% in the quarter, the company said.",),
    ),
    Rule(
        "newsletter-box",
        LINE,
        _rx(
            r"(sign up|subscribe|register|join|get)( now| today| here)? (for|to) (our|the|my)( free| daily| weekly)? [\w' -]*newsletters?.*|"
            r".*\b(in|to|into) your inbox\b.*|.*\bsubscribe to [\w’'. ]*newsletters?\b.*|"
            r"enter your e-?mail( address)?.*|by (signing up|subscribing|clicking [\w ]+), you (agree|acknowledge).*|"
            r"thank(s| you) for (signing up|subscribing).*|you('re| are) (now )?subscribed.*|"
            r"(sign up|subscribe) (now|today|here)\.?|"
            r"(jetzt )?(newsletter|den newsletter) (abonnieren|bestellen).*|melden sie sich (jetzt )?(für|zu) [\w ]*newsletter an.*|"
            r"(inscrivez-vous|abonnez-vous) (à|a) (notre|la) newsletter.*|recevez (notre|la) newsletter.*|"
            r"(suscríbete|suscribete|regístrate) (a|en) (nuestro|nuestra|el|la) (boletín|newsletter).*|"
            r"(assine|inscreva-se (n|em) )(a |nossa )?newsletter.*|iscriviti alla (nostra )?newsletter.*|"
            r"подпишитесь на (нашу )?рассылку.*"
        ),
        removes=(
            "Sign up for our daily newsletter",
            "Get the best stories delivered to your inbox every morning.",
            "By signing up, you agree to our Terms of Use and Privacy Policy.",
            "Get the latest updates right in your inbox. Subscribe to NJ.com’s newsletters.",
            "Jetzt Newsletter abonnieren",
            "Inscrivez-vous à notre newsletter",
            "Suscríbete a nuestro boletín",
        ),
        keeps=("She signed up for the army at 18 and served for two decades.",),
        max_words=40,
    ),
    Rule(
        "share-bar",
        LINE,
        _rx(
            r"((share|tweet|email|e-mail|print|pin|save|copy link|whatsapp|facebook|twitter|linkedin|reddit|flipboard|telegram|"
            r"teilen|drucken|partager|imprimer|compartir|imprimir|condividi|stampa|поделиться|bagikan)[\s|•·,/]*){1,8}|"
            r"share (this|the) (article|story|page|post)( on [\w ]+)?[:.]?|share on \w+|click to share on \w+.*|"
            r"(artikel|beitrag) teilen|partager (cet |l')article|compartir (este|el) art[ií]culo|compartilhe( esta notícia)?"
        ),
        removes=("Share", "Share this article", "Facebook Twitter Email", "Share on WhatsApp", "Artikel teilen", "Partager cet article"),
        keeps=("Share prices fell sharply on Monday.",),
    ),
    Rule(
        "comment-prompt",
        TAIL,
        _rx(
            r"(comments?|kommentare?|commentaires?|comentarios?|comentários?|commenti|комментарии)\s*\(?\d*\)?|"
            r"(log ?in|sign in|register) to (post|leave|add|write) a comment.*|(leave|post|add|write) a comment.*|"
            r"join the (conversation|discussion).*|be the first to comment.*|(show|view|load|read) (all )?\d* ?comments.*|"
            r"you must be logged in to post a comment.*|comments are closed.*|"
            r"(jetzt )?kommentieren|kommentar schreiben.*|zu den kommentaren.*|réagir|(laisser|ajouter) un commentaire.*|"
            r"(deja|escribe|añade) (un|tu) comentario.*|deixe (um|seu) comentário.*|lascia un commento.*|"
            r"написать комментарий.*|tulis komentar.*"
        ),
        removes=("Comments (12)", "Login to post a comment", "Leave a comment", "Kommentare (3)", "Réagir", "Deja un comentario"),
        keeps=("Comments from the minister were welcomed by the unions, which had called for the reform since 2015.",),
    ),
    Rule(
        "photo-credit",
        LINE,
        _rx(
            r"\(?(photo|photograph|photos|image|picture|pic|foto|fotos|bild|credit|photo credit|crédit photo|crédits?|фото)"
            r"(\s+by\s+|\s*[:：/©]\s*)[^.!?]{0,80}\)?|"
            r"(image copyright|image caption|media caption|getty images|©)\b.*"
        ),
        removes=("Photo: Reuters", "(Photo by Jane Doe/Getty Images)", "Image copyright Getty Images", "Foto: dpa", "Photo : AFP", "Foto: EFE/Juan Pérez"),
        keeps=("Photographs from the scene showed extensive damage to the building and the road.",),
    ),
    Rule(
        "cookie-notice",
        LINE,
        _rx(
            r".*\b(we use cookies|this (web)?site uses cookies|uses cookies to|by continuing to (use|browse) (this|our) (site|website)|"
            r"cookie (policy|settings|preferences)|accept (all )?cookies|wir verwenden cookies|diese website verwendet cookies|"
            r"nous utilisons des cookies|ce site utilise des cookies|utilizamos cookies|este sitio (web )?utiliza cookies|"
            r"utilizamos cookies|usamos cookies|utilizziamo i cookie|мы используем (файлы )?cookie)\b.*"
        ),
        removes=("We use cookies to improve your experience. By continuing to use this site you agree.", "Wir verwenden Cookies, um Ihnen ein besseres Nutzererlebnis zu bieten."),
        keeps=("The bakery sold 4,000 cookies on the first day.",),
        max_words=60,
    ),
    Rule(
        "tag-list",
        TAIL,
        _rx(r"(tags|topics|filed under|keywords|schlagworte|stichworte|themen|mots-clés|mots clés|sujets|etiquetas|temas|tópicos|argomenti|теги|темы|tag)(\s*[:：]\s*.*)?"),
        removes=("Tags","Tags: Politics, Elections, Senate", "Schlagworte: Bundestag, Wahl", "Mots-clés : politique, élections", "Etiquetas: Política"),
        keeps=("Topics such as climate and jobs dominated the debate.",),
        max_words=40,
    ),
    Rule(
        "dateline",
        HEAD,
        _rx(_NOT_A_SENTENCE + r".*\b" + _DATE + r"\b.*"),
        removes=(
            "5:45 AM PST 11/19/2019 by Patrick Shanley",
            "November 20, 2019 - 11:28 AMT",
            "segunda-feira, 22 de janeiro de 2018 às 0:13",
            "19. November 2019, 14:32 Uhr",
        ),
        keeps=("On November 18, 2019 the company announced it would close the plant.", "Tested by: John Milbank RRP: 49.95 Euro (£40)"),
        max_words=16,
    ),
    Rule(
        "byline",
        HEAD,
        re.compile(r"(?i:by|von|par|por|di|oleh|от)\s+[A-ZÀ-ÖØ-ÞА-Я][\w.'’-]+(\s+[A-ZÀ-ÖØ-ÞА-Я][\w.'’-]+){0,3}\s*([,|•·–—-].*)?"),
        removes=("By Jane Doe", "Von Max Mustermann | dpa", "Par Jean Dupont, AFP"),
        keeps=("By Tuesday the protests had spread to the capital.",),
        max_words=12,
    ),
    Rule(
        "reading-time",
        LINE,
        _rx(r"(reading time|read time|lesezeit|temps de lecture|tiempo de lectura|tempo de leitura|tempo di lettura|время чтения)\s*:?\s*.*|\d+\s*(min|minute|minutes|minuten)\.? (read|lesezeit|de lecture|de lectura|de leitura)"),
        removes=("Tempo de leitura: 1 minuto", "Reading time: 3 minutes", "4 min read", "Lesezeit: 3 Minuten"),
        keeps=("Reading time was cut in half for pupils, the study found.",),
        max_words=6,
    ),
    Rule(
        "timestamp",
        LINE,
        _rx(
            r"(?=.*\d)(updated|last updated|published|posted|first published|aktualisiert|veröffentlicht|"
            r"mis à jour|publié|actualizado|publicado|atualizado|aggiornato|pubblicato|обновлено|diperbarui)\b.*"
        ),
        removes=("Updated at 1:23 p.m.", "Published: 19 November 2019", "Mis à jour le 19/11/2019 à 14h32", "Actualizado 19/11/2019 14:32"),
        keeps=("Published in 1998, the novel sold two million copies.",),
        max_words=8,
    ),
    Rule(
        "promo-label",
        BLOCK,
        _rx(
            r"(related|related (articles|stories|content|coverage|links)|more|also|more on this( story)?|read more|see also|"
            r"you (may|might) also like|recommended( for you)?|most (read|popular|viewed)( in [\w ]+)?|trending( now)?|"
            r"more from [\w .]+|also read|more stories|lesen sie auch|mehr zum thema|das könnte sie auch interessieren|"
            r"(à )?lire aussi|voir aussi|sur le même sujet|lee también|te puede interesar|noticias relacionadas|"
            r"leia também|veja também|leggi anche|читайте также|baca juga|berita terkait|関連記事|관련\s?기사)\s*[:.…]*"
        ),
        removes=("Related:", "More:", "You may also like...", "Most read in world news", "Lesen Sie auch", "À lire aussi", "Noticias relacionadas"),
        keeps=("More than 200 people attended.",),
        max_words=8,
    ),
    Rule(
        "engagement-prompt",
        LINE,
        _rx(
            r"(tell us what you think|let us know (what you think|in the comments)|what do you think\?).*|"
            r"like this (story|article)\?.*|share (it|this( story| article)?) with (a friend|your friends).*|"
            r"(sagen sie uns|schreiben sie uns) (ihre meinung|was sie denken).*|donnez-nous votre avis.*|"
            r"(danos|déjanos) tu opinión.*|click to tweet"
        ),
        removes=("Tell us what YOU think...", "Like this story? Share it with a friend!", "Click To Tweet"),
        keeps=("Tell us what you think about it, the minister asked the committee, before leaving the building in a hurry and refusing any further questions.",),
        max_words=20,
    ),
    Rule(
        "social-follow",
        END,
        _rx(
            r".*\b(follow|folgen sie|suivez|síguenos|siga|segui|ikuti)\s+(us|me|him|her|them|@\w+|(?-i:[A-Z])[\w.&'’ ]{1,40}?)\s+"
            r"(on|auf|sur|en|em|su|di)\s+(twitter|facebook|instagram|linkedin|youtube|tiktok|telegram)\b.*|"
            r"(listen|watch|subscribe|download|itunes|podcast)\s*[:：]\s*https?://\S+.*|"
            r"listen to [\w ]+ (live|here|on).*"
        ),
        removes=(
            "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
            "Follow The New York Times Opinion section on Facebook, Twitter (@NYTopinion) and Instagram.",
            "Listen: http://po.st/TP_615",
        ),
        keeps=("He did not follow the advice he gave on Twitter, his aides conceded on Monday, according to several people familiar with the matter.",),
        max_words=40,
    ),
    Rule(
        "contact-line",
        END,
        _rx(
            r"[\w.+-]+@[\w-]+\.[\w.]+|@\w{2,30}|(https?://|www\.)\S+|(twitter|facebook|instagram)\.com/\S+|"
            r"have a (news )?tip\?.*|.*\b(may|can) be reached at\b.*|(e-?mail|contact) [\w .]+ at \S+@\S+.*"
        ),
        removes=("paul.takahashi@chron.com", "twitter.com/paultakahashi", "Have a tip? Amy Kuperinsky may be reached at ak@example.com."),
        max_words=40,
    ),
    Rule(
        "reporting-credit",
        END,
        _rx(
            r"(additional )?(reporting|writing|editing|compiled|edited|produced) by .*|"
            r".*\bcontributed (reporting )?to (this|the) (report|story|article)\.?|"
            r"(source|sources|quelle|quellen|fuente|fuentes|fonte|fonti|источник)\s*[:：]\s*.{0,60}|"
            r"(mit material von|avec afp|con información de|com informações d[aoe]s?) .*"
        ),
        removes=(
            "Reporting by Rodrigo Campos; Editing by Nick Zieminski",
            "Associated Press writers Alan Fram and Zeke Miller contributed to this report.",
            "SOURCE: Al Jazeera News",
            "Additional reporting by Joseph Hudak",
        ),
        keeps=("The source: a leaked memo, seen by Reuters, which sets out the plan in detail and names the officials responsible for it.",),
        max_words=50,
    ),
    Rule(
        "syndication-disclaimer",
        LINE,
        _rx(
            r"\(?(except for the headline, )?this story has not been edited by .*|"
            r"\(?(only the headline|the headline) .*has been (changed|edited).*syndicated feed.*|"
            r"\(?(this|the) (article|story|report) (is|was) (auto-generated|published) from a syndicated feed.*|"
            r"\(?with inputs from (agencies|\w+)\)?\.?"
        ),
        removes=(
            "(This story has not been edited by Business Standard staff and is auto-generated from a syndicated feed.)",
            "(Except for the headline, this story has not been edited by NDTV staff and is published from a syndicated feed.)",
            "(With inputs from agencies)",
        ),
        keeps=("This story has many twists, the author said in an interview.", "Disclaimer: The views expressed by experts are their own."),
        max_words=45,
    ),
)


@dataclass(frozen=True)
class DomRule:
    """Page elements removed before text extraction, so their text never reaches a paragraph.

    An element matches when its tag is in `tags` and one of its whole class tokens (or its id)
    is in `tokens`; whole tokens, so "entry-content-read-more" does not match "read-more".
    An empty `tokens` matches every element with one of the tags.
    """

    name: str
    tags: frozenset[str]
    tokens: frozenset[str]
    removes: str  # an HTML snippet whose matching element must go
    keeps: str = ""  # an HTML snippet that must survive


_BOXES = frozenset({"div", "aside", "section", "ul", "form", "p", "span", "small"})

DOM_RULES: tuple[DomRule, ...] = (
    DomRule(
        "figure-caption",
        frozenset({"figcaption"}),
        frozenset(),
        removes='<figure><img src="a.jpg"><figcaption>The minister on Monday. Photo: AFP</figcaption></figure>',
    ),
    DomRule(
        "caption-or-credit",
        _BOXES,
        frozenset(
            "caption wp-caption-text image-caption img-caption photo-caption media-caption caption-text "
            "photo-credit image-credit img-credit credit credits copyright bildunterschrift legende légende".split()
        ),
        removes='<p class="wp-caption-text">The minister on Monday (Photo: AFP)</p>',
        keeps="<p class=\"lead\">The caption competition drew 300 entries.</p>",
    ),
    DomRule(
        "newsletter-box",
        _BOXES,
        frozenset("newsletter newsletter-signup newsletter-box newsletter-form newsletter-promo subscribe-box signup-box inline-newsletter".split()),
        removes='<div class="newsletter-signup"><p>Sign up for our daily briefing on the markets.</p></div>',
        keeps="<div class=\"story\"><p>The newsletter business is booming.</p></div>",
    ),
    DomRule(
        "share-bar",
        _BOXES,
        frozenset("share share-bar sharebar social-share share-buttons sharing sharing-tools share-tools social-links social-buttons".split()),
        removes='<div class="social-share"><a>Facebook</a><a>Twitter</a></div>',
    ),
    DomRule(
        "related-box",
        _BOXES,
        frozenset("related related-articles related-stories related-content related-links read-more also-read read-also more-stories recommended".split()),
        removes='<aside class="related-stories"><a>Another headline about the budget</a></aside>',
        keeps='<div class="entry-content entry-content-read-more"><p>The article body.</p></div>',
    ),
    DomRule(
        "ad-slot",
        _BOXES,
        frozenset("ad ads advert advertisement ad-slot ad-container adslot dfp-ad ad-unit".split()),
        removes='<div class="ad-container"><span>Advertisement</span></div>',
    ),
)
