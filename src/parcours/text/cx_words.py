"""Customer-experience polarity words and phrases, per language, written for Parcours.

General words of customer service and complaints (no brand, product or sector word), +1 positive,
−1 negative; an underscore joins the words of a phrase (``toujours_pas``). They complete the
third-party lexicons of ``models/lexicon.tsv.gz`` (see :mod:`parcours.text.lexicon`), and win over
them where both have a word. Written by the Parcours contributors (Apache-2.0), from general
customer-service vocabulary, before the sets of ``../shared/data/customer_reviews`` were measured.
"""

WORDS: dict[str, dict[int, str]] = {
    "fr": {
        -1: (
            "arnaque arnaques arnaqueur arnaqueurs escroc escrocs escroquerie voleur voleurs fuir "
            "fuyez à_fuir déconseille déconseillé déconseillée déconseiller inadmissible inacceptable "
            "scandaleux scandaleuse scandale honteux honteuse honte lamentable lamentables catastrophique "
            "catastrophe déplorable pitoyable minable nul nulle nuls médiocre pire incompétent "
            "incompétente incompétents incompétence injoignable injoignables mépris méprisant "
            "irrespectueux impoli impolie désagréable désagréables malhonnête malhonnêtes mensonge "
            "mensonges menteur menteurs mensonger trompeur tromperie abusif abusive abus plainte plaintes "
            "réclamation réclamations litige relance relances relancé relancer harcèlement harcèle galère "
            "cauchemar déçu déçue déçus déception décevant décevante mécontent mécontente insatisfait "
            "insatisfaite regrette regret retard retards attente attendre erreur erreurs problème "
            "problèmes souci soucis refus refusé refuse bloqué perdu lenteur lent lente lents "
            "interminable aberrant aberrante ridicule inexistant inexistante absent absente toujours_pas "
            "aucune_réponse sans_réponse aucun_retour sans_nouvelle sans_nouvelles jamais_eu rien_reçu "
            "stop évitez éviter dommage hélas malheureusement colère furieux furieuse énervé dégoûté "
            "écœuré choqué injuste injustifié injustifiée mauvais mauvaise mauvaises catastrophiques "
            "horrible affreux"
        ),
        1: (
            "satisfait satisfaite satisfaits satisfaites satisfaction ravi ravie ravis content contente "
            "contents excellent excellente excellents parfait parfaite parfaitement impeccable "
            "irréprochable top super génial bravo merci rapide rapides rapidement rapidité efficace "
            "efficaces efficacité réactif réactive réactifs réactivité professionnel professionnelle "
            "professionnels professionnalisme sérieux sérieuse compétent compétente compétents aimable "
            "aimables agréable agréables courtois courtoise sympathique sympathiques souriant chaleureux "
            "à_l'écoute écoute disponible disponibles arrangeant arrangeante serviable serviables "
            "attentionné patient patiente recommande recommandé recommander conseille fiable fiables "
            "clair claire claires simple simples facile facilement fluide pratique transparent "
            "transparente honnête honnêtes bon bonne bons bonnes bien très_bien rien_à_dire remercie "
            "remerciements félicitations qualité fidèle fidèles confiance rassurant rassurante"
        ),
    },
    "en": {
        -1: (
            "scam scams scammer fraud fraudulent rip-off ripoff thieves steal stole avoid beware worst "
            "terrible horrible awful disgusting disgrace disgraceful shameful unacceptable outrageous "
            "ridiculous pathetic useless incompetent incompetence rude unprofessional dishonest liar "
            "liars lie lies lied misleading deceptive complaint complaints dispute nightmare disappointed "
            "disappointing disappointment unhappy dissatisfied regret waiting waited wait delay delayed "
            "delays late error errors problem problems issue issues refused denied denial lost stuck slow "
            "never_again no_response no_reply still_waiting nobody_answers unreachable hassle frustrating "
            "frustrated frustration angry furious poor bad worse"
        ),
        1: (
            "satisfied happy pleased delighted excellent perfect perfectly flawless great amazing awesome "
            "fantastic wonderful thank thanks fast quick quickly prompt promptly efficient responsive "
            "professional reliable competent knowledgeable friendly kind courteous polite helpful patient "
            "attentive recommend recommended easy simple smooth clear transparent honest trustworthy good "
            "best love loved seamless hassle-free painless"
        ),
    },
    "de": {
        -1: (
            "betrug betrüger abzocke abzocker finger_weg vermeiden schlimmste katastrophe katastrophal "
            "schrecklich furchtbar unverschämt unverschämtheit inakzeptabel lächerlich peinlich "
            "inkompetent unfreundlich unhöflich unseriös lüge lügen beschwerde beschwerden reklamation "
            "ärger enttäuscht enttäuschend enttäuschung unzufrieden warten wartezeit verspätung fehler "
            "problem probleme abgelehnt verloren langsam nie_wieder keine_antwort nicht_erreichbar "
            "schlecht schlechter"
        ),
        1: (
            "zufrieden zufriedenheit begeistert ausgezeichnet hervorragend perfekt super toll prima danke "
            "schnell zügig effizient kompetent professionell zuverlässig freundlich hilfsbereit nett "
            "höflich geduldig empfehlen empfehlenswert einfach unkompliziert klar transparent ehrlich gut "
            "sehr_gut"
        ),
    },
    "es": {
        -1: (
            "estafa estafadores fraude ladrones robo evitar peor horrible terrible pésimo pésima "
            "lamentable vergüenza vergonzoso inaceptable ridículo incompetente incompetentes maleducado "
            "grosero mentira mentiras engaño queja quejas reclamación decepcionado decepcionada decepción "
            "insatisfecho esperar espera retraso error errores problema problemas rechazado perdido lento "
            "lenta nunca_más sin_respuesta malo mala malos malas"
        ),
        1: (
            "satisfecho satisfecha encantado encantada excelente perfecto perfecta genial estupendo "
            "fantástico maravilloso gracias rápido rápida rápidamente eficiente eficaz profesional "
            "profesionales fiable competente amable amables simpático simpática atento atenta servicial "
            "paciente recomiendo recomendable recomendado fácil sencillo claro transparente honesto bueno "
            "buena buenos buenas bien muy_bien agradable"
        ),
    },
    "nl": {
        -1: (
            "oplichting oplichters oplichter fraude diefstal vermijden slechtste verschrikkelijk "
            "vreselijk afschuwelijk schandalig onacceptabel belachelijk incompetent onbeleefd "
            "onvriendelijk onprofessioneel leugen leugens klacht klachten teleurgesteld teleurstellend "
            "teleurstelling ontevreden wachten wachttijd vertraging fout fouten probleem problemen "
            "geweigerd verloren traag nooit_meer geen_antwoord onbereikbaar slecht slechte"
        ),
        1: (
            "tevreden tevredenheid blij uitstekend perfect prima super geweldig fantastisch bedankt dank "
            "snel snelle efficiënt professioneel betrouwbaar deskundig vriendelijk vriendelijke "
            "behulpzaam geduldig aanrader aanbevelen makkelijk eenvoudig duidelijk transparant eerlijk "
            "goed goede zeer_goed"
        ),
    },
}
