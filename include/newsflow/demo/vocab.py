"""Vocabularies and paraphrase templates for the newsroom generator: names, places, organisations, event types.

Each event type lists headline templates and facts; each fact has several wordings so outlets phrase it differently.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Anna Ben Clara David Elena Felix Grace Hugo Ingrid Jonas Karin Leo Maja Nils Olga Paul Rosa Simon Tara Victor "
    "Wanda Yusuf Zoe Amir Bianca Carlos Dina Emil Fatima Georg Helena Ivan Julia Kofi Lena Marek Nadia Oscar Petra "
    "Rafael Sofia Tomas Una Vera Walter Ximena Yara Anders Beatrix Caspar Delia Erik Freya Gustav Hanna Ilse Jakob "
    "Kamila Lukas Mira"
).split()

LAST_NAMES = (
    "Abbott Berg Carver Dahl Eriksen Ferro Gallo Hale Ibsen Janssen Kovac Lind Moreau Novak Okafor Petrov Quinn Rossi "
    "Strand Toivonen Ulrich Varga Weber Yilmaz Zeller Andersen Brooks Castell Dufour Engel Falk Grimm Holt Ivers Jorgensen "
    "Keller Lorenz Mendes Nyberg Olsen Pryce Ramos Sandberg Tanaka Urban Vogel Whitmore Aalto Bianchi Cole Dorsey Eklund "
    "Fischer Greco Hartley Iqbal Juhl Kaur Larsen Mbeki"
).split()

PLACE_HEADS = (
    "Ash Bram Cal Dun Eld Fen Glen Hart Ivy Kel Lang Mar Nor Oak Pen Quill Ros Stan Thorn Ul Vale Wex Yar Brook Clay "
    "Elm Frost Gold Haw Iron Kings Lark Mill Nettle Red Salt Stone Wolf"
).split()

PLACE_TAILS = "ford wick by mouth field haven bridge ton stead moor dale port wood mere gate cliff".split()

REGIONS = (
    "North Coast", "Eastern Highlands", "Lake District", "Venn Valley", "Southern Plains", "Western Isles",
    "Capital Region", "Border Counties",
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

MASTHEADS = (
    "Ledger Courier Post Times Herald Gazette Chronicle Observer Tribune Record Sentinel Examiner Journal Mercury "
    "Standard Telegraph Argus Echo Star Beacon Advertiser Express Dispatch Messenger Bulletin"
).split()

WIRE_NAMES = ("Press Agency", "Wire", "News Service", "Newswire")

COMPANY_KINDS = (
    "Logistics", "Systems", "Foods", "Motors", "Energy", "Pharma", "Textiles", "Steel", "Software", "Shipping",
    "Telecom", "Retail", "Chemicals", "Paper", "Glassworks",
)

HACKER_COLOURS = "Grey Black Silent Red Pale Crimson Hollow Iron".split()
HACKER_NOUNS = "Lantern Fox Harbour Owl Needle Comet Raven Kettle".split()

GROUPS = (
    ("bus drivers", "Transport Workers' Union", "{place} City Transit"),
    ("nurses", "Nurses' Federation", "{place} General Hospital"),
    ("teachers", "Teachers' Union", "the {place} education authority"),
    ("refuse collectors", "Municipal Workers' Union", "{place} city council"),
    ("rail staff", "Rail and Maritime Union", "{region} Railways"),
    ("dockworkers", "Dockworkers' Union", "the {place} Port Authority"),
    ("airport baggage handlers", "Aviation Workers' Union", "{place} Airport"),
)

BUILDINGS = ("warehouse", "apartment block", "hotel", "shopping centre", "timber yard", "school", "factory")
STREETS = "Mill Station Church Harbour Market Bridge Castle Park Queen Water".split()

OFFICES = ("mayor of {place}", "governor of the {region}")
PARTIES = ("Civic Alliance", "Social Democrats", "Green List", "People's Party", "Liberal Union", "Regional Front")

CHARGES = ("fraud", "bribery", "embezzlement", "tax evasion", "money laundering")


#: Event types. Slots are filled by `generator._event_slots`; `{Group}` etc. are capitalised variants.
EVENT_TYPES: dict[str, dict] = {
    "strike": {
        "section": "Business",
        "headlines": (
            "{Group} in {place} end {days}-day strike after {pct}% pay deal",
            "{place} {group} vote to accept pay offer, ending strike",
            "Strike over: {group} return to work in {place}",
            "{union} backs {pct}% deal to end {place} walkout",
            "{place} walkout ends as {group} accept {pct}% rise",
        ),
        "context": (
            "The dispute began after talks over pay and working hours collapsed in the spring.",
            "Inflation has eroded the value of wages in {place} over the past two years, union officials say.",
            "{employer} had warned that a longer strike could force it to cut services permanently.",
            "It was the longest stoppage of its kind in the {region} for more than a decade.",
        ),
        "facts": (
            (
                "{Group} in {place} voted to end a {days}-day strike after their union accepted a pay rise of {pct} per cent over three years.",
                "A {days}-day walkout by {group} in {place} is over after members of the {union} approved a new pay agreement worth {pct} per cent.",
                "The strike by {place}'s {group} has ended, with union members backing a three-year deal worth {pct} per cent.",
            ),
            (
                "{vote} per cent of the {members} members who took part in the ballot supported the offer.",
                "The ballot, open to {members} members, produced a {vote} per cent majority in favour.",
                "Just over {vote} per cent of voting members said yes, according to the union, which has {members} members.",
            ),
            (
                "\"This agreement shows what workers can achieve when they stand together,\" said {person}, the union's leader.",
                "{person}, who leads the {union}, called the settlement \"hard-won but fair\".",
                "Union leader {person} thanked the public for its patience during the dispute, saying members had \"secured dignity at work\".",
            ),
            (
                "{employer} said normal service would resume on {weekday}.",
                "A spokesperson for {employer} said it was glad the dispute was over and expected to be back to normal by {weekday}.",
                "{employer} confirmed that work would restart on {weekday} morning.",
            ),
            (
                "Local business groups estimate the dispute cost the economy around {cost} million crowns.",
                "The stoppage is thought to have cost firms in {place} about {cost} million crowns.",
                "According to the chamber of commerce, the strike cost some {cost} million crowns in lost trade.",
            ),
            (
                "The union had originally asked for {ask} per cent over two years.",
                "Its opening demand had been a {ask} per cent rise, well above what {employer} first offered.",
                "Negotiators met in the middle: the union had wanted {ask} per cent.",
            ),
        ),
    },
    "fire": {
        "section": "News",
        "headlines": (
            "Fire destroys {building} on {street} Street in {place}",
            "{injured} hurt as blaze tears through {place} {building}",
            "{firefighters} firefighters tackle {place} {building} fire",
            "Residents evacuated as fire engulfs {building} in {place}",
        ),
        "context": (
            "The {building} had been inspected by the fire authority last year, according to council records.",
            "Neighbours said they heard a series of loud bangs before smoke began pouring from the roof.",
            "Local businesses on {street} Street were asked to stay closed while the structure is checked for safety.",
            "The council has opened an emergency centre for anyone who needs somewhere to stay.",
        ),
        "facts": (
            (
                "A large fire destroyed a {building} on {street} Street in {place} overnight, injuring {injured} people.",
                "{injured} people were hurt when fire swept through a {building} on {street} Street, {place}, in the early hours.",
                "Fire crews spent the night fighting a blaze that gutted a {building} in {place}'s {street} Street; {injured} people were injured.",
            ),
            (
                "At the height of the blaze {firefighters} firefighters and {engines} engines were at the scene.",
                "The fire service sent {firefighters} firefighters with {engines} engines.",
                "{engines} fire engines and around {firefighters} firefighters were needed to bring it under control.",
            ),
            (
                "About {evacuated} residents of neighbouring buildings were evacuated as a precaution.",
                "Police moved some {evacuated} people out of nearby homes while crews worked.",
                "Around {evacuated} neighbours spent the night in a sports hall after being told to leave their homes.",
            ),
            (
                "\"The crews did an outstanding job in very difficult conditions,\" said fire chief {person}.",
                "Fire chief {person} praised the crews and said the building had been \"fully alight\" when they arrived.",
                "{person}, who commands the {place} fire service, said it was one of the biggest fires in the town in years.",
            ),
            (
                "The cause of the fire is under investigation.",
                "Investigators have not yet said how the fire started.",
                "Officials said it was too early to say what caused the blaze.",
            ),
            (
                "{street} Street is expected to stay closed until {weekday}.",
                "Drivers were told to avoid {street} Street until at least {weekday}.",
                "The road will remain shut until {weekday}, the council said.",
            ),
        ),
    },
    "election": {
        "section": "Politics",
        "headlines": (
            "{person} elected {office} with {pct}% of the vote",
            "{person} wins {office} race, ousting {person2}",
            "{person2} concedes as {person} takes {pct}% in {place}",
            "Upset in {place}: {person} defeats incumbent {person2}",
        ),
        "context": (
            "The result leaves the {party2} without control of a major office in the {region} for the first time in years.",
            "Campaigning was dominated by debates about rents, public transport and the cost of living.",
            "The new officeholder will be sworn in next month.",
            "Observers said the vote passed off peacefully, with no significant complaints lodged.",
        ),
        "facts": (
            (
                "{person} of the {party} has been elected {office}, winning {pct} per cent of the vote.",
                "Voters chose {person} as {office}, giving the {party} candidate {pct} per cent.",
                "With {pct} per cent of the vote, {person} of the {party} will be the next {office}.",
            ),
            (
                "The incumbent, {person2} of the {party2}, took {pct2} per cent.",
                "{person2}, who had held the post for {years} years, finished on {pct2} per cent.",
                "Outgoing officeholder {person2} of the {party2} trailed with {pct2} per cent.",
            ),
            (
                "Turnout was {turnout} per cent.",
                "Some {turnout} per cent of registered voters cast a ballot.",
                "Participation reached {turnout} per cent, officials said.",
            ),
            (
                "\"Tonight {place} chose change,\" {person_last} told supporters.",
                "In a victory speech, {person_last} promised to \"govern for everyone, not just those who voted for me\".",
                "{person_last} thanked campaign volunteers and said work would begin \"tomorrow morning\".",
            ),
            (
                "{person2} conceded shortly before midnight.",
                "{person2} congratulated the winner and promised an orderly handover.",
                "Conceding defeat, {person2} said the result had to be respected.",
            ),
            (
                "Housing and public transport dominated the campaign.",
                "The campaign focused heavily on rents and the cost of public transport.",
                "Polls had suggested that housing costs were voters' top concern.",
            ),
        ),
    },
    "layoffs": {
        "section": "Business",
        "headlines": (
            "{company} to close {place} plant, cutting {jobs} jobs",
            "{jobs} jobs at risk as {company} shuts {place} site",
            "'A heavy blow': {place} reacts to {company} closure",
            "{company} ends production in {place} after {years} years",
        ),
        "context": (
            "The company has been cutting costs across its operations for more than a year.",
            "Production is expected to wind down gradually over the next twelve months.",
            "The {region} has lost several large employers in recent years.",
            "Local politicians called on the company to sell the site rather than leave it empty.",
        ),
        "facts": (
            (
                "{company} will close its plant in {place} next year, putting {jobs} jobs at risk.",
                "{jobs} workers face losing their jobs after {company} announced the closure of its {place} site.",
                "The {place} factory of {company}, which employs {jobs} people, is to shut, the company said.",
            ),
            (
                "Chief executive {person} blamed rising energy costs and weak demand.",
                "{person}, the company's chief executive, said high energy prices had made the site uncompetitive.",
                "The company, led by chief executive {person}, cited falling orders and the cost of energy.",
            ),
            (
                "The site opened {years} years ago and is one of the largest employers in the {region}.",
                "Production began in {place} {years} years ago.",
                "For {years} years the plant has been central to the local economy of the {region}.",
            ),
            (
                "Economy minister {person2} said the decision was \"deeply disappointing\".",
                "{person2}, the economy minister, promised a task force to help affected workers.",
                "The government, through economy minister {person2}, said it had offered support to keep the plant open.",
            ),
            (
                "Unions said they would fight the closure.",
                "Union representatives accused {company} of abandoning the town.",
                "Worker representatives said they would ballot for industrial action.",
            ),
            (
                "Suppliers in {place} fear that hundreds more jobs depend on the plant.",
                "Local businesses say the knock-on effect could be far larger than {jobs} jobs.",
                "Shops and suppliers around the site expect to be hit as well.",
            ),
        ),
    },
    "breach": {
        "section": "Technology",
        "headlines": (
            "Hackers steal data of {records} million customers from {company}",
            "{company} breach: {group_name} claims attack affecting {records}m people",
            "{company} apologises after cyberattack exposes customer records",
            "What the {company} data breach means for you",
        ),
        "context": (
            "The company said it discovered the intrusion last week and shut down the affected servers.",
            "The stolen files include names, addresses and bank account numbers.",
            "Cybersecurity agencies have warned of a sharp rise in ransomware attacks this year.",
            "Companies can face heavy fines if they are found to have failed to protect personal data.",
        ),
        "facts": (
            (
                "{company} says hackers have stolen personal data belonging to about {records} million customers.",
                "The records of roughly {records} million people have been taken in a cyberattack on {company}, the company said.",
                "A breach at {company} has exposed the personal details of {records} million customers.",
            ),
            (
                "A group calling itself {group_name} has claimed responsibility and demanded a ransom.",
                "The criminal group {group_name} said on a leak site that it was behind the attack.",
                "Responsibility was claimed by {group_name}, a ransomware gang known to security researchers.",
            ),
            (
                "\"I want to apologise to every customer affected,\" said chief executive {person}.",
                "Chief executive {person} apologised and said affected customers would be offered free credit monitoring.",
                "{person}, the company's chief executive, said it was \"working around the clock\" with investigators.",
            ),
            (
                "The data protection regulator, led by {person2}, has opened an investigation.",
                "Data protection commissioner {person2} said the regulator would investigate.",
                "The regulator, headed by {person2}, is looking into whether the company broke the law.",
            ),
            (
                "Shares in {company} fell {pct} per cent.",
                "The company's share price dropped by {pct} per cent on the news.",
                "Investors sold the stock, which closed down {pct} per cent.",
            ),
            (
                "Customers are advised to watch their bank accounts and be wary of unexpected emails.",
                "Experts warned customers to expect phishing messages that use the stolen details.",
                "Security specialists advised people to change their passwords and monitor their accounts.",
            ),
        ),
    },
    "storm": {
        "section": "Weather",
        "headlines": (
            "Storm {storm} leaves {homes} homes without power in the {region}",
            "Storm {storm}: gusts of {wind} km/h batter {place}",
            "Red warning as Storm {storm} hits the {region}",
            "Ferries cancelled and schools shut as Storm {storm} sweeps in",
        ),
        "context": (
            "Storm {storm} is the latest in a series of storms to hit the coast this season.",
            "Emergency services urged people not to travel unless their journey was essential.",
            "Several roads were blocked by fallen trees and debris.",
            "Insurers said it was too early to estimate the cost of the damage.",
        ),
        "facts": (
            (
                "Storm {storm} brought gusts of up to {wind} km/h to the {region}, cutting power to about {homes} homes.",
                "Around {homes} homes lost electricity as Storm {storm} swept across the {region} with winds of {wind} km/h.",
                "Winds reaching {wind} km/h left some {homes} households without power as Storm {storm} arrived.",
            ),
            (
                "The worst-hit town was {place}, where the harbour road flooded.",
                "In {place}, sea water came over the harbour wall and flooded the main road.",
                "Flooding was reported in {place}, where residents spent the day laying sandbags.",
            ),
            (
                "Forecaster {person} said the storm would ease by {weekday}.",
                "The meteorological office, whose chief forecaster is {person}, expects winds to drop on {weekday}.",
                "According to forecaster {person}, conditions should improve from {weekday}.",
            ),
            (
                "Ferry services and many trains were cancelled.",
                "All ferry sailings were suspended and rail services disrupted.",
                "Travel was badly disrupted, with ferries halted and trains cancelled.",
            ),
            (
                "Schools across the {region} were closed.",
                "Education authorities closed schools in the {region} for the day.",
                "Pupils in the {region} were told to stay at home.",
            ),
            (
                "Grid engineers warned that some rural homes could be without power for {days} days.",
                "Repairs in remote areas could take up to {days} days, the grid operator said.",
                "Some customers may have to wait {days} days for supply to be restored.",
            ),
        ),
    },
    "court": {
        "section": "News",
        "headlines": (
            "Former {place} official {person} jailed for {years} years for {charge}",
            "{person} sentenced to {years} years in {place} {charge} case",
            "Court convicts {person} of {charge}",
            "{years}-year sentence for {person} after {charge} trial",
        ),
        "context": (
            "The case was one of the most closely watched corruption trials in the {region} in recent years.",
            "The investigation began after an internal audit flagged irregular payments.",
            "Several other officials are expected to face trial later this year.",
            "Anti-corruption campaigners welcomed the verdict.",
        ),
        "facts": (
            (
                "{person}, a former senior official in {place}, has been sentenced to {years} years in prison for {charge}.",
                "A court in {place} jailed {person} for {years} years after a trial for {charge}.",
                "{person} was given a {years}-year prison term for {charge} by a court in {place}.",
            ),
            (
                "Prosecutors said {cost} million crowns had been diverted over {span} years.",
                "The court heard that {cost} million crowns went missing over a period of {span} years.",
                "According to the prosecution, the scheme involved {cost} million crowns and ran for {span} years.",
            ),
            (
                "Judge {person2} said the offences were \"a grave breach of public trust\".",
                "Passing sentence, judge {person2} described a \"calculated and sustained\" deception.",
                "Judge {person2} said the sentence had to deter others in public office.",
            ),
            (
                "Lawyers for {person_last} said they would appeal.",
                "The defence said it would lodge an appeal.",
                "{person_last}'s lawyers called the verdict unjust and plan to appeal.",
            ),
            (
                "The trial lasted {days} days.",
                "Proceedings ran for {days} days and heard from dozens of witnesses.",
                "Over {days} days of hearings, the court examined thousands of documents.",
            ),
        ),
    },
    "derailment": {
        "section": "News",
        "headlines": (
            "Train derails near {place}; {injured} injured",
            "{injured} hurt as {operator} train leaves tracks outside {place}",
            "Investigation opened into {place} derailment",
            "Passengers describe moment train derailed near {place}",
        ),
        "context": (
            "It was the most serious rail accident in the {region} in several years.",
            "The line carries commuter and freight trains and is one of the busiest in the region.",
            "Engineers had carried out maintenance work on the section of track last month.",
            "Hospitals in the area said they had activated their major incident plans.",
        ),
        "facts": (
            (
                "A passenger train carrying {passengers} people derailed near {place}, injuring {injured}.",
                "{injured} people were hurt when a train with {passengers} passengers on board came off the tracks outside {place}.",
                "An {operator} service derailed close to {place}; {injured} of the {passengers} passengers were injured.",
            ),
            (
                "The train was operated by {operator}.",
                "{operator} said it was cooperating fully with investigators.",
                "Operator {operator} suspended services on the line.",
            ),
            (
                "Chief investigator {person} said the track and signalling would be examined.",
                "{person}, who leads the rail accident investigation branch, said it was too early to give a cause.",
                "Investigators led by {person} arrived at the scene within hours.",
            ),
            (
                "Passengers described being thrown from their seats as carriages tipped over.",
                "\"There was a bang and then everything went sideways,\" one passenger said.",
                "Several passengers said the train had been travelling fast moments before.",
            ),
            (
                "The line is expected to remain closed until {weekday}.",
                "Replacement buses will run until at least {weekday}.",
                "Services will not resume before {weekday}, the operator said.",
            ),
        ),
    },
}

#: Sentences any outlet may add; they carry no facts, like real filler copy.
FILLERS = (
    "Further details were expected later in the day.",
    "Residents of {place} reacted with a mixture of relief and concern.",
    "The {region} regional council said it was following the situation closely.",
    "Opposition politicians called for a full explanation.",
    "It was not immediately clear what the wider consequences would be.",
    "The news dominated conversation in {place} on {weekday}.",
    "Officials promised to publish more information in the coming days.",
    "Analysts said the coming weeks would be decisive.",
    "Community leaders in {place} appealed for calm and patience.",
    "The story was among the most read on local news sites on {weekday}.",
    "Reporters in {place} said the mood in the town was subdued.",
    "The government is expected to comment in more detail later this week.",
)


VILLAGE_HEADS = "Al Bel Cor Dra Es Fal Gor Hel Ir Jas Kor Lun Mor Nav Or Pel Ras Sel Tor Ul Var Wen Zan Bre Cas".split()
VILLAGE_MIDS = "a e i o u ar en is on el".split()
VILLAGE_TAILS = "dal mir vik stad holm rud gard lin burg tor nes sund".split()

OCCUPATIONS = (
    "teacher", "retired nurse", "taxi driver", "shop owner", "student", "electrician", "pharmacist", "baker",
    "council worker", "fisherman", "accountant", "bus driver", "farmer", "software developer", "chef", "pensioner",
    "carpenter", "hairdresser", "librarian", "postal worker",
)

INSTITUTIONS = (
    "community centre", "sports club", "parish council", "chamber of commerce", "residents' association",
    "primary school", "public library", "youth orchestra", "football club", "historical society",
)

LANDMARKS = (
    "old lighthouse", "town hall", "clock tower", "covered market", "railway viaduct", "cathedral", "harbour steps",
    "war memorial", "botanical garden", "city museum",
)

#: Event-specific detail sentences: an event picks a few, and every outlet reporting it reuses that pick.
#: They carry the rare names (villages, witnesses, institutions) that tell one event from another of its kind.
DETAILS = (
    "{witness}, a {occupation} from {village}, said the news had spread through the town within minutes.",
    "\"Everyone here knows someone affected,\" said {witness}, a {occupation} in {village}.",
    "In {village}, {n_a} kilometres from {place}, the {institution} opened its doors to anyone who needed help.",
    "The {place} {institution} postponed its {weekday} meeting.",
    "{witness2}, who works as a {occupation2} near the {landmark}, said it was unlike anything the town had seen.",
    "{witness2}, a {occupation2}, described a long and anxious night in {village}.",
    "Crowds gathered near the {landmark} in {place} as word spread.",
    "The {landmark} in {place} was lit up in the evening as a gesture of solidarity.",
    "A spokesperson for the {place} {institution}, {official}, said volunteers were on standby.",
    "{official}, who chairs the {village} {institution}, called for calm.",
    "Local radio in {place} said it had received {n_b} calls from listeners by the afternoon.",
    "Around {n_b} people signed an online petition started by {witness} of {village}.",
    "\"We just want answers,\" said {witness2}, a {occupation2} from {village}.",
    "According to {official}, about {n_b} households in {village} were directly affected.",
    "Residents of {village} and {place} were asked to check on elderly neighbours.",
    "The mayor's office in {place} said it had set up a helpline and logged {n_b} calls.",
    "Schoolchildren in {village} were told about the events by their teachers on {weekday}.",
    "Shops around the {landmark} closed early, owners said.",
    "{witness} said people in {village} had been talking about little else.",
    "Councillor {official} said {village} would need support \"for months, not days\".",
)
