"""Words that carry no theme (French and English), for key terms of comments."""

FRENCH = frozenset("""
a à ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient aurais aurait auras aurez auriez
aurions aurons auront aussi autre autres aux avaient avais avait avant avec avez aviez avions avoir avons ayant ayez
ayons bah bcp beaucoup bien bon bonjour bref ça cas ce ceci cela celle celles celui cependant certain certaine certaines
certains ces cet cette ceux chaque chez ci comme comment d dans de des deja déjà depuis dès devrait dit dois doit donc
dont du elle elles en encore entre es est et étaient étais était etc été êtes étiez étions être eu eue eues eûmes
eurent eus eut eux fait faire fais faut fois font fut furent fus j je jusqu jusque l la là laquelle le lequel les
lesquelles lesquels leur leurs lors lui m ma mais me même mêmes merci mes moi moins mon n na ne ni non nos notre nous on
ont ou où par parce pas pendant peu peut peuvent plus plutôt pour pourquoi puis qu quand que quel quelle quelles
quelque quelques quels qui quoi s sa sans se sera serai seraient serais serait seras serez seriez serions serons
seront ses si sien soi soient sois soit sommes son sont sous soyez soyons suis sur t ta te tes toi ton toujours tous tout
toute toutes très tres tu un une unes uns vos votre vous vraiment y était avoir faire été fois chose choses
trop car assez ainsi alors aussi surtout juste quand-même quelqu peut-être avais avait vraiment cela ceux
ils leurs celle-ci celui-ci ceux-ci voilà
""".split())

ENGLISH = frozenset("""
a about above after again against all also am an and any are aren as at be because been before being below between
both but by can cannot could couldn did didn do does doesn doing don down during each even ever every few for from
further get got had hadn has hasn have haven having he her here hers herself him himself his how i if in into is isn
it its itself just let like me more most much must my myself no nor not now of off on once only or other ought our ours
ourselves out over own really same shan she should shouldn so some such than thank thanks that the their theirs them
themselves then there these they this those through to too under until up us very via was wasn we were weren what when
where which while who whom why will with won would wouldn yes yet you your yours yourself yourselves im ive dont cant
one still back thing things way lot please hi hello
since though although however maybe quite rather
""".split())

# Words said in any domain that name nothing a team can act on: units of time (waiting is the
# "delivery and waiting" aspect's), reporting verbs, "company". Never a theme's term.
GENERIC = frozenset("""
jour jours journée mois an ans année années semaine semaines heure heures minute minutes fois après avant ensuite
malgré aujourd'hui hier demain quelqu'un chose choses gens entreprise société compagnie dire dit disent répondu
day days week weeks month months year years hour hours minute minutes time times today yesterday ago later after
before company said told tell going take took find found anything something everything someone anyone everyone
""".split())

CONNECTORS = frozenset({"de", "du", "des", "d", "à", "au", "aux", "en", "of", "the", "la", "le", "l"})

ALL = FRENCH | ENGLISH
