"""The question bank of `llmrl-kg ask` (issue 10): questions, paraphrases, and how to check the answer.

Every expected answer is computed from the data by an independent SPARQL query
written here (or is a refusal with the words it must name); nothing is taken
from the parser under test. `METHODS(body)` is the set of the survey's table
methods (those with a table entry) whose `?m` satisfies `body`; `MODELS(body)`
the KG's models `?x` satisfying it; the other checks say what they compare.

Question types follow DBLP-QuAD (single fact, multi fact, boolean, negation,
count, superlative, comparison, disambiguation), adapted to this KG.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VLM = "llmrl:VisionLanguageModel"
ANY_DOC = "?e{n} llmrl:entryOf ?m ; a llmrl:MethodEntry ."


@dataclass
class Case:
    """Paraphrases of one question and the check of their (common) answer."""

    name: str
    paraphrases: list[str]
    check: str  # methods | models | count | fact | definition | yesno | top | card | compare | refused
    sparql: str = ""  # the independent query (meaning depends on `check`)
    column: str = ""  # the answer column compared (fact, top)
    words: list[str] = field(default_factory=list)  # refused: words the message must name
    expected: object = None  # hand-checked values (compare: the row to check)


def entry(n: int, pattern: str) -> str:
    """A pattern on one table entry of ?m (any document)."""
    return f"?e{n} llmrl:entryOf ?m ; a llmrl:MethodEntry ; {pattern} ."


# The Llama family: the models whose label starts with the word "Llama" (Llama, Llama 2, Llama 3.1; not
# CodeLlama), computed from the data so that a new Llama model joins it.
LLAMA_FAMILY = " ?x rdfs:label ?xl . FILTER(REGEX(?xl, '^Llama([^A-Za-z]|$)', 'i'))"

CASES: list[Case] = [
    # --- lists with conditions ----------------------------------------------------------------
    Case("headline", ["non-fine-tuned planners using GPT-4", "Which non-fine-tuned planners use GPT-4?",
                      "planners that are not fine-tuned and use GPT-4", "frozen planners with GPT-4"], "methods",
         "?m a llmrl:PlannerMethod . " + entry(1, "llmrl:fineTuning ft:none") + entry(2, "llmrl:usesModel model:gpt-4")),
    Case("vlm agents", ["VLM agents", "agents built on a VLM", "agents that use a vision-language model",
                        "LLM/VLM as Agent methods using a VLM"], "methods",
         f"?m a llmrl:AgentMethod . {entry(1, 'llmrl:usesModel ?x')} ?x a {VLM} ."),
    Case("fine-tuned vlm agents", ["fine-tuned VLM agents", "VLM agents that are fine-tuned",
                                   "agents using a VLM with fine-tuning"], "methods",
         f"?m a llmrl:AgentMethod . {entry(1, 'llmrl:usesModel ?x')} ?x a {VLM} . "
         + entry(2, "llmrl:fineTuning ?ft") + " VALUES ?ft { ft:full ft:peft }"),
    Case("vlm reward models", ["VLMs as reward models", "vision-language reward models", "reward models using a VLM",
                               "reward model approaches built on a vision-language model"], "methods",
         f"?m a llmrl:RewardModelMethod . {entry(1, 'llmrl:usesModel ?x')} ?x a {VLM} ."),
    Case("planners from 2023", ["planners from 2023", "planners in 2023", "planners published in 2023",
                                "LLM/VLM as Planner methods of 2023"], "methods",
         "?m a llmrl:PlannerMethod ; llmrl:introducedIn/fabio:hasPublicationYear ?y . FILTER(STR(?y) = '2023')"),
    Case("alfworld", ["methods evaluated on ALFWorld", "which methods are tested on ALFWorld?",
                      "methods using the ALFWorld benchmark", "methods evaluated on alfworld"], "methods",
         "?m llmrl:evaluatedOn benchmark:alfworld ."),
    Case("multi-agent", ["multi-agent methods", "methods with multiple agents", "multiagent approaches",
                         "MARL methods"], "methods", entry(1, "llmrl:rlAgent rlagent:multi")),
    Case("offline", ["offline RL methods", "methods that learn from precollected data",
                     "offline reinforcement learning methods", "batch RL methods"], "methods",
         entry(1, "llmrl:rlSetting rlsetting:offline")),
    Case("open weights", ["methods that use open-weights models", "methods using open-weight models",
                          "methods with an open weights model"], "methods",
         entry(1, "llmrl:usesModel ?x") + " ?x llmrl:openWeights true ."),
    Case("code fine-tune llama", ["methods with code that fine-tune Llama", "fine-tuned methods with code using Llama",
                                  "methods that fine-tune Llama and have code"], "methods",
         entry(1, "llmrl:codeRepository ?c") + entry(2, "llmrl:fineTuning ?ft") + " VALUES ?ft { ft:full ft:peft } "
         + entry(3, "llmrl:usesModel model:llama")),
    Case("or models", ["planners using GPT-4 or PaLM", "planners that use PaLM or GPT-4", "planners using GPT-4/PaLM",
                       "LLM/VLM as Planner methods with GPT-4 or PaLM"], "methods",
         "?m a llmrl:PlannerMethod . " + entry(1, "llmrl:usesModel ?x") + " VALUES ?x { model:gpt-4 model:palm }"),
    Case("or roles", ["planners or agents", "agents or planners"], "methods",
         "?m a ?r . VALUES ?r { llmrl:PlannerMethod llmrl:AgentMethod }"),
    Case("not vlm", ["reward models not using a VLM", "reward models without a VLM",
                     "reward models that do not use a vision-language model"], "methods",
         "?m a llmrl:RewardModelMethod . FILTER NOT EXISTS { ?n llmrl:entryOf ?m ; llmrl:usesModel ?x . "
         f"?x a {VLM} }}"),
    Case("not gpt-4", ["planners not using GPT-4", "planners that do not use GPT-4", "planners without GPT-4",
                       "planners that don't use GPT-4"],
         "methods", "?m a llmrl:PlannerMethod . FILTER NOT EXISTS { ?n llmrl:entryOf ?m ; llmrl:usesModel model:gpt-4 }"),
    Case("not planners", ["methods that are not planners", "non-planner methods"], "methods",
         "FILTER NOT EXISTS { ?m a llmrl:PlannerMethod }"),
    Case("google models", ["methods using Google models", "methods that use models developed by Google",
                           "methods built on models from Google"], "methods",
         entry(1, "llmrl:usesModel ?x") + " ?x llmrl:developedBy org:google ."),
    Case("openai", ["methods using OpenAI models", "methods with an OpenAI model"], "methods",
         entry(1, "llmrl:usesModel ?x") + " ?x llmrl:developedBy org:openai ."),
    Case("llama family", ["methods using Llama models", "methods that use any Llama",
                          "methods with a Llama family model"], "methods",
         entry(1, "llmrl:usesModel ?x") + LLAMA_FAMILY),
    Case("gpt family", ["methods using any GPT", "methods that use GPT models", "methods with a GPT family model"],
         "methods", entry(1, "llmrl:usesModel ?x") + " ?x rdfs:label ?xl . FILTER(STRSTARTS(?xl, 'GPT'))"),
    Case("code llms", ["code LLMs", "methods using a code language model", "methods with code LLMs"], "methods",
         entry(1, "llmrl:usesModel ?x") + " ?x a llmrl:CodeLanguageModel ."),
    Case("peft agents", ["parametric agents with PEFT", "parametric agents using parameter-efficient fine-tuning",
                         "parametric agents with LoRA"], "methods",
         "?m a llmrl:ParametricAgent . " + entry(1, "llmrl:fineTuning ft:peft")),
    Case("chatgpt", ["non-parametric agents using GPT-3.5-Turbo", "non-parametric agents using ChatGPT",
                     "non-parametric agents with gpt-3.5-turbo"], "methods",
         "?m a llmrl:NonParametricAgent . " + entry(1, "llmrl:usesModel model:gpt-3-5-turbo")),
    Case("sample efficiency", ["incremental planning approaches that improve sample efficiency",
                               "incremental planners improving sample efficiency", "incremental planners with se"],
         "methods", "?m a llmrl:IncrementalPlanner . " + entry(1, "llmrl:improvesMetric metric:se")),
    Case("two metrics", ["methods with success rate and robustness", "methods that improve success rate and robustness",
                         "methods improving sr and rob"], "methods",
         entry(1, "llmrl:improvesMetric metric:sr") + entry(2, "llmrl:improvesMetric metric:rob")),
    Case("pi_l", ["methods that learn a language-conditioned policy", "methods with π_l", "methods using pi_l"],
         "methods", entry(1, "llmrl:rlRole rlrole:pi_l")),
    Case("pi with narrower", ["methods with policy learning", "methods using π", "methods that learn a policy"],
         "methods", entry(1, "llmrl:rlRole ?r") + " ?r skos:broader* rlrole:pi ."),
    Case("rft", ["methods with RL fine-tuning", "methods using rft", "methods with reinforced fine-tuning"], "methods",
         entry(1, "llmrl:rlRole rlrole:rft")),
    Case("tau_pi", ["methods with trajectory generation", "methods using τ_π", "methods that generate trajectories"],
         "methods", entry(1, "llmrl:rlRole rlrole:tau_pi")),
    Case("world model", ["methods whose FM is a world model", "methods where the foundation model is a world model",
                         "methods with FM role wm"], "methods", entry(1, "llmrl:fmRole fmrole:wm")),
    Case("planners with code", ["planners with code", "planners that have public code",
                                "planners with a code repository"], "methods",
         "?m a llmrl:PlannerMethod . " + entry(1, "llmrl:codeRepository ?c")),
    Case("before 2024", ["agents published before 2024", "agents from before 2024", "agents until 2023"], "methods",
         "?m a llmrl:AgentMethod ; llmrl:introducedIn/fabio:hasPublicationYear ?y . FILTER(STR(?y) <= '2023')"),
    Case("range", ["reward methods from 2022 to 2023", "reward methods between 2022 and 2023",
                   "reward methods 2022-2023"], "methods",
         "?m a llmrl:RewardMethod ; llmrl:introducedIn/fabio:hasPublicationYear ?y . "
         "FILTER(STR(?y) >= '2022' && STR(?y) <= '2023')"),
    Case("since", ["planners since 2024", "planners from 2024 onwards", "planners in 2024 or later"], "methods",
         "?m a llmrl:PlannerMethod ; llmrl:introducedIn/fabio:hasPublicationYear ?y . FILTER(STR(?y) >= '2024')"),
    Case("after", ["methods after 2023", "methods published after 2023"], "methods",
         "?m llmrl:introducedIn/fabio:hasPublicationYear ?y . FILTER(STR(?y) > '2023')"),
    Case("without code", ["methods without code", "methods with no code", "methods that have no public code"],
         "methods", "FILTER NOT EXISTS { ?n llmrl:entryOf ?m ; llmrl:codeRepository ?c }"),
    Case("online reward models", ["reward models with online RL", "online reward models"], "methods",
         "?m a llmrl:RewardModelMethod . " + entry(1, "llmrl:rlSetting rlsetting:online")),
    Case("single task", ["single-task planners", "planners with a single task"], "methods",
         "?m a llmrl:PlannerMethod . " + entry(1, "llmrl:rlTask rltask:single")),
    Case("multi task", ["multi-task methods", "multitask methods", "methods with multiple tasks"], "methods",
         entry(1, "llmrl:rlTask rltask:multi")),
    Case("both settings", ["methods that are both online and offline", "methods with online and offline RL"],
         "methods", entry(1, "llmrl:rlSetting rlsetting:both")),
    Case("vlm planners", ["how many VLM planners are there?", "how many planners use a VLM?",
                          "number of planners built on a vision-language model"],
         "count", f"?m a llmrl:PlannerMethod . {entry(1, 'llmrl:usesModel ?x')} ?x a {VLM} ."),
    Case("llm reward functions", ["LLM reward functions", "reward function approaches using an LLM"], "methods",
         f"?m a llmrl:RewardFunctionMethod . {entry(1, 'llmrl:usesModel ?x')} ?x a llmrl:LargeLanguageModel ."),
    Case("openai frozen", ["methods using OpenAI models that are not fine-tuned",
                           "frozen methods with OpenAI models"], "methods",
         entry(1, "llmrl:usesModel ?x") + " ?x llmrl:developedBy org:openai . " + entry(2, "llmrl:fineTuning ft:none")),
    Case("overcooked", ["methods evaluated on Overcooked", "which methods were tested on Overcooked?"], "methods",
         "?m llmrl:evaluatedOn benchmark:overcooked ."),
    Case("meta-world code", ["methods evaluated on Meta-World with code", "methods with code tested on Meta-World"],
         "methods", "?m llmrl:evaluatedOn benchmark:meta-world . " + entry(1, "llmrl:codeRepository ?c")),
    Case("readme planners", ["planners in the README", "planners according to the readme"], "methods",
         "?m a llmrl:PlannerMethod . ?r llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:statedIn doc:readme ."),
    Case("author", ["methods by Noah Shinn", "methods written by Noah Shinn"], "methods",
         "?m llmrl:introducedIn/dcterms:creator person:noah-shinn ."),
    Case("gen gpt-4 agents", ["agents that improve generalization and use GPT-4",
                              "agents using GPT-4 that improve generalization"], "methods",
         "?m a llmrl:AgentMethod . " + entry(1, "llmrl:improvesMetric metric:gen")
         + entry(2, "llmrl:usesModel model:gpt-4")),
    Case("gpt-4v", ["methods using GPT-4V", "methods with GPT-4 Vision"], "methods",
         entry(1, "llmrl:usesModel model:gpt-4v")),
    Case("minedojo benchmark", ["methods evaluated on MineDojo"], "methods",
         "?m llmrl:evaluatedOn benchmark:minedojo ."),
    Case("misspelled benchmark", ["methods evaluated on Overcoked"], "methods",
         "?m llmrl:evaluatedOn benchmark:overcooked ."),
    Case("fullwidth", ["ＧＰＴ－４ planners", "planners using GPT-4"], "methods",
         "?m a llmrl:PlannerMethod . " + entry(1, "llmrl:usesModel model:gpt-4")),
    Case("both models", ["how many methods use both GPT-4 and GPT-3.5?", "number of methods using GPT-4 and GPT-3.5"],
         "count", entry(1, "llmrl:usesModel model:gpt-4") + entry(2, "llmrl:usesModel model:gpt-3-5")),
    Case("but not", ["methods that use GPT-4 but not GPT-4V", "methods using GPT-4 and not GPT-4V"], "methods",
         entry(1, "llmrl:usesModel model:gpt-4")
         + " FILTER NOT EXISTS { ?n llmrl:entryOf ?m ; llmrl:usesModel model:gpt-4v }"),
    Case("repeated", ["planners planners planners", "planners and planners"], "methods", "?m a llmrl:PlannerMethod ."),
    # --- lists of models --------------------------------------------------------------------------
    Case("open models", ["open-weights models", "models with open weights", "which models have open weights?"],
         "models", "?x llmrl:openWeights true ."),
    Case("vlm models", ["which models are VLMs?", "models that are vision-language models"], "models", f"?x a {VLM} ."),
    Case("google's models", ["models developed by Google", "Google models", "models from Google"], "models",
         "?x llmrl:developedBy org:google ."),
    Case("llama models", ["Llama models", "models of the Llama family"], "models",
         LLAMA_FAMILY),
    Case("openai llms", ["LLMs by OpenAI", "methods using LLMs from OpenAI"], "methods",
         entry(1, "llmrl:usesModel ?x") + " ?x a llmrl:LargeLanguageModel ; llmrl:developedBy org:openai ."),
    Case("closed llms", ["LLM models without open weights", "models that are LLMs without open weights"], "models",
         "?x a llmrl:LargeLanguageModel . FILTER NOT EXISTS { ?x llmrl:openWeights true }"),
    Case("all benchmarks", ["list all benchmarks", "which benchmarks are there?", "show all benchmarks"], "names",
         "SELECT ?v WHERE { ?x a llmrl:Benchmark ; rdfs:label ?v }", "benchmark"),
    Case("all organisations", ["list the organisations", "which organizations are in the KG?"], "names",
         "SELECT ?v WHERE { ?x a foaf:Organization ; rdfs:label ?v }", "organization"),
    Case("all metrics", ["list all metrics", "show all metrics"], "names",
         "SELECT ?v WHERE { ?x a llmrl:Metric ; skos:notation ?v }", "code"),
    # --- counts -----------------------------------------------------------------------------------
    Case("count reward models", ["how many reward models are there?", "number of reward model approaches",
                                 "count reward models"], "count", "?m a llmrl:RewardModelMethod ."),
    Case("count planners gpt-4", ["how many planners use GPT-4?", "how many LLM/VLM as Planner methods use GPT-4"],
         "count", "?m a llmrl:PlannerMethod . " + entry(1, "llmrl:usesModel model:gpt-4")),
    Case("count methods", ["how many methods are there?", "number of methods"], "count", ""),
    Case("count vlm agents", ["how many VLM agents are there?", "how many agents use a VLM?"], "count",
         f"?m a llmrl:AgentMethod . {entry(1, 'llmrl:usesModel ?x')} ?x a {VLM} ."),
    Case("count multi-agent", ["how many multi-agent methods are there", "number of multi-agent methods"], "count",
         entry(1, "llmrl:rlAgent rlagent:multi")),
    Case("count eureka's metrics", ["how many metrics does Eureka improve?", "number of metrics of Eureka"],
         "count-values", "SELECT DISTINCT ?v WHERE { ?e llmrl:entryOf method:eureka ; llmrl:improvesMetric ?v }"),
    Case("count psl's benchmarks", ["how many benchmarks does PSL use?", "how many environments is PSL evaluated on?"],
         "count-values", "SELECT DISTINCT ?v WHERE { method:psl llmrl:evaluatedOn ?v }"),
    Case("count benchmarks", ["how many benchmarks are there?", "how many benchmarks does the KG have",
                              "number of benchmarks"], "count-class", "llmrl:Benchmark"),
    Case("count papers", ["how many papers are there?", "number of papers"], "count-class", "llmrl:Paper"),
    Case("count authors", ["how many authors are there", "number of authors"], "count-class", "foaf:Person"),
    Case("count organisations", ["how many organisations are there", "how many organizations are in the KG"],
         "count-class", "foaf:Organization"),
    Case("count models", ["how many models are there?", "how many foundation models are there"], "count-models",
         ""),
    # --- superlatives ------------------------------------------------------------------------------
    Case("top model", ["which models are used most?", "which model is used most", "most used model",
                       "what is the most popular model?"], "top", """
         SELECT ?key (COUNT(DISTINCT ?m) AS ?count) WHERE {
           ?e llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:usesModel ?x . ?x rdfs:label ?key } GROUP BY ?key""",
         "model"),
    Case("top year", ["which year has the most methods?", "in which year were the most methods published?"], "top",
         """SELECT ?key (COUNT(DISTINCT ?m) AS ?count) WHERE {
           ?e llmrl:entryOf ?m ; a llmrl:MethodEntry . ?m llmrl:introducedIn/fabio:hasPublicationYear ?key }
           GROUP BY ?key""", "year"),
    Case("top benchmark", ["which benchmark is used most?", "most common benchmark"], "top", """
         SELECT ?key (COUNT(DISTINCT ?m) AS ?count) WHERE {
           ?e llmrl:entryOf ?m ; a llmrl:MethodEntry . ?m llmrl:evaluatedOn/rdfs:label ?key } GROUP BY ?key""",
         "benchmark"),
    Case("method most benchmarks", ["which method uses the most benchmarks?",
                                    "which method is evaluated on the most benchmarks?"], "top", """
         SELECT ?key (COUNT(DISTINCT ?b) AS ?count) WHERE {
           ?e llmrl:entryOf ?m ; a llmrl:MethodEntry . ?m rdfs:label ?key ; llmrl:evaluatedOn ?b } GROUP BY ?key""",
         "method"),
    Case("top organisation", ["which organisation's models are used most?", "most used organisation"], "top", """
         SELECT ?key (COUNT(DISTINCT ?m) AS ?count) WHERE {
           ?e llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:usesModel/llmrl:developedBy/rdfs:label ?key }
           GROUP BY ?key""", "organisation"),
    Case("planners' top model", ["which model do planners use most?", "most used model among planners"], "top", """
         SELECT ?key (COUNT(DISTINCT ?m) AS ?count) WHERE { ?m a llmrl:PlannerMethod .
           ?e llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:usesModel/rdfs:label ?key } GROUP BY ?key""", "model"),
    Case("method most models", ["which method uses the most models?"], "top", """
         SELECT ?key (COUNT(DISTINCT ?x) AS ?count) WHERE {
           ?e llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:usesModel ?x . ?m rdfs:label ?key } GROUP BY ?key""",
         "method"),
    Case("top metric", ["which metric is improved most often?", "most common metric"], "top", """
         SELECT ?key (COUNT(DISTINCT ?m) AS ?count) WHERE {
           ?e llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:improvesMetric/skos:notation ?key } GROUP BY ?key""",
         "metric"),
    Case("least model", ["least used model", "which model is used least?"], "bottom", """
         SELECT ?key (COUNT(DISTINCT ?m) AS ?count) WHERE {
           ?e llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:usesModel ?x . ?x rdfs:label ?key } GROUP BY ?key""",
         "model"),
    # --- facts about one thing ----------------------------------------------------------------------
    Case("who wrote", ["who wrote Reflexion?", "who are the authors of Reflexion?", "authors of Reflexion",
                       "who authored Reflexion"], "fact",
         "SELECT ?v WHERE { method:reflexion llmrl:introducedIn/llmrl:authorList ?v }", "authors"),
    Case("when", ["when was Eureka published?", "what year was Eureka published?", "publication year of Eureka"],
         "fact", "SELECT ?v WHERE { method:eureka llmrl:introducedIn/fabio:hasPublicationYear ?v }", "year"),
    Case("where", ["where was Reflexion published?", "which venue published Reflexion?", "venue of Reflexion"],
         "fact", "SELECT ?v WHERE { method:reflexion llmrl:introducedIn/llmrl:venue ?v }", "venue"),
    Case("arxiv", ["what is the arXiv ID of Reflexion?", "arXiv id of Reflexion", "Reflexion arXiv"], "fact",
         "SELECT ?v WHERE { method:reflexion llmrl:introducedIn/llmrl:arxivId ?v }", "arXiv"),
    Case("eureka benchmarks", ["what benchmarks does Eureka use?", "which environments is Eureka evaluated on?",
                               "what is Eureka evaluated on?"], "fact",
         "SELECT ?v WHERE { method:eureka llmrl:evaluatedOn/rdfs:label ?v }", "benchmarks"),
    Case("eureka models", ["what models does Eureka use?", "which models does Eureka use?",
                           "what are the models of Eureka?"], "fact",
         "SELECT ?v WHERE { ?e llmrl:entryOf method:eureka ; llmrl:usesModel/rdfs:label ?v }", "models"),
    Case("psl models", ["what models does PSL use?", "which models does Plan-Seq-Learn use?"], "fact",
         "SELECT ?v WHERE { ?e llmrl:entryOf method:psl ; llmrl:usesModel/rdfs:label ?v }", "models"),
    Case("kind", ["what kind of method is Eureka?", "what type of method is Eureka?", "category of Eureka"], "fact",
         "SELECT ?v WHERE { method:eureka a ?c . ?c rdfs:subClassOf llmrl:Method ; rdfs:label ?v . "
         "FILTER NOT EXISTS { method:eureka a ?b . ?b rdfs:subClassOf ?c FILTER(?b != ?c) } }", "category"),
    Case("metrics", ["what metrics does Eureka improve?", "which metrics does Eureka improve?"], "fact-codes",
         "SELECT ?v WHERE { ?e llmrl:entryOf method:eureka ; llmrl:improvesMetric/skos:notation ?v }", "metrics"),
    Case("rl roles", ["what RL roles does Eureka have?", "RL roles of Eureka"], "fact-codes",
         "SELECT ?v WHERE { ?e llmrl:entryOf method:eureka ; llmrl:rlRole/skos:notation ?v }", "RL roles"),
    Case("fine-tuned from", ["what is Vicuna-1.5 fine-tuned from?", "Vicuna-1.5 is fine-tuned from which model?"],
         "fact", "SELECT ?v WHERE { model:vicuna-1-5 llmrl:fineTunedFrom/rdfs:label ?v }", "fine-tuned from"),
    Case("developer", ["who developed GPT-4?", "which organisation developed GPT-4?", "who made GPT-4"], "fact",
         "SELECT ?v WHERE { model:gpt-4 llmrl:developedBy/rdfs:label ?v }", "developer"),
    Case("based on", ["what is LLaVA-v1.6-Mistral based on?", "LLaVA-v1.6-Mistral is based on which model?"], "fact",
         "SELECT ?v WHERE { model:llava-v1-6-mistral llmrl:basedOn/rdfs:label ?v }", "based on"),
    Case("code of", ["what is the code of Eureka?", "where is the code of Eureka?", "Eureka code repository",
                     "Eureka github"], "fact",
         "SELECT ?v WHERE { ?e llmrl:entryOf method:eureka ; llmrl:codeRepository ?v }", "code"),
    Case("title", ["what is the title of the Reflexion paper?", "title of Reflexion"], "fact",
         "SELECT ?v WHERE { method:reflexion llmrl:introducedIn/dcterms:title ?v }", "title"),
    Case("domain", ["what is the domain of ALFWorld?", "domain of ALFWorld"], "fact",
         "SELECT ?v WHERE { benchmark:alfworld llmrl:domain ?v }", "domain"),
    Case("misspelled method", ["who wrote Eurka?", "authors of Eurka"], "fact",
         "SELECT ?v WHERE { method:eureka llmrl:introducedIn/llmrl:authorList ?v }", "authors"),
    # --- definitions ---------------------------------------------------------------------------------
    Case("rft", ["what does rft mean?", "what is rft?", "define rft", "what does rft stand for?"], "definition",
         "VALUES ?s { rlrole:rft }"),
    Case("tau_pi", ["what is τ_π?", "what does tau_pi mean?", "define τ_π"], "definition", "VALUES ?s { rlrole:tau_pi }"),
    Case("comprehensive", ["what is a comprehensive planner?", "define comprehensive planner",
                           "what does comprehensive planner mean?"], "definition",
         "VALUES ?s { llmrl:ComprehensivePlanner }"),
    Case("pi_g", ["what is π_g?", "what does pi_g mean?"], "definition", "VALUES ?s { rlrole:pi_g }"),
    Case("v_g", ["what is v_g?", "define v_g"], "definition", "VALUES ?s { rlrole:v_g }"),
    Case("peft code", ["what does ✓* mean?", "what is ✓*?"], "definition", "VALUES ?s { ft:peft }"),
    Case("world model code", ["what is a world model?", "define world model"], "definition", "VALUES ?s { fmrole:wm }"),
    Case("offline code", ["what is offline RL?", "what does offline RL mean?"], "definition",
         "VALUES ?s { rlsetting:offline }"),
    Case("se code", ["what is sample efficiency?", "what does se mean?"], "definition", "VALUES ?s { metric:se }"),
    Case("vlm class", ["what is a VLM?", "what is a vision-language model?", "define VLM"], "definition",
         f"VALUES ?s {{ {VLM} }}"),
    Case("ref both", ["what does ref mean?", "define ref"], "definition", "VALUES ?s { rlrole:ref fmrole:ref }"),
    Case("benchmark class", ["what is a benchmark?", "define benchmark"], "definition", "VALUES ?s { llmrl:Benchmark }"),
    Case("topic", ["what is reward engineering?", "define reward engineering"], "definition",
         "VALUES ?s { <https://w3id.org/llmrl-kg/topic/reward-engineering> }"),
    # --- cards -----------------------------------------------------------------------------------------
    Case("eureka card", ["what is Eureka?", "Eureka", "tell me about Eureka", "show Eureka"], "card", "method:eureka"),
    Case("gpt-4 card", ["what is GPT-4?", "tell me about GPT-4"], "card", "model:gpt-4"),
    Case("alfworld card", ["what is ALFWorld?", "ALFWorld"], "card", "benchmark:alfworld"),
    Case("minedojo card", ["what is MineDojo?"], "card", "benchmark:minedojo"),
    Case("person card", ["who is Noah Shinn?", "tell me about Noah Shinn"], "card-name", "person:noah-shinn"),
    Case("org card", ["what is Google?", "tell me about OpenAI"], "card-name", "org:google org:openai"),
    # --- comparisons ----------------------------------------------------------------------------------
    Case("compare methods", ["compare SayCan and Inner Monologue", "SayCan vs Inner Monologue",
                             "what is the difference between SayCan and Inner Monologue?",
                             "how does SayCan differ from Inner Monologue?"], "compare",
         "SELECT ?a ?b WHERE { method:saycan llmrl:introducedIn/fabio:hasPublicationYear ?a . "
         "method:inner-monologue llmrl:introducedIn/fabio:hasPublicationYear ?b }",
         expected=("year", "SayCan", "Inner Monologue")),
    Case("compare models", ["compare GPT-4 and PaLM", "GPT-4 versus PaLM"], "compare",
         "SELECT ?a ?b WHERE { model:gpt-4 llmrl:developedBy/rdfs:label ?a . model:palm llmrl:developedBy/rdfs:label ?b }",
         expected=("developer", "GPT-4", "PaLM")),
    # --- yes / no -------------------------------------------------------------------------------------
    Case("eureka fine-tunes", ["does Eureka fine-tune its model?", "is Eureka fine-tuned?",
                               "does Eureka use fine-tuning?"], "yesno",
         "ASK { ?e llmrl:entryOf method:eureka ; llmrl:fineTuning ?f . VALUES ?f { ft:full ft:peft } }"),
    Case("eureka gpt-4", ["does Eureka use GPT-4?", "is GPT-4 used by Eureka?"], "yesno",
         "ASK { ?e llmrl:entryOf method:eureka ; llmrl:usesModel model:gpt-4 }"),
    Case("eureka planner", ["is Eureka a planner?", "is Eureka an LLM/VLM as Planner method?"], "yesno",
         "ASK { method:eureka a llmrl:PlannerMethod }"),
    Case("eureka reward function", ["is Eureka a reward function approach?"], "yesno",
         "ASK { method:eureka a llmrl:RewardFunctionMethod }"),
    Case("reflexion code", ["does Reflexion have code?", "does Reflexion have public code?"], "yesno",
         "ASK { ?e llmrl:entryOf method:reflexion ; llmrl:codeRepository ?c }"),
    Case("gpt-4 open", ["is GPT-4 open weights?", "does GPT-4 have open weights?"], "yesno",
         "ASK { model:gpt-4 llmrl:openWeights true }"),
    Case("llama 2 open", ["is Llama 2 open weights?"], "yesno", "ASK { model:llama-2 llmrl:openWeights true }"),
    Case("reflexion 2023", ["was Reflexion published in 2023?"], "yesno",
         "ASK { method:reflexion llmrl:introducedIn/fabio:hasPublicationYear ?y . FILTER(STR(?y) = '2023') }"),
    Case("eureka before 2024", ["was Eureka published before 2024?"], "yesno",
         "ASK { method:eureka llmrl:introducedIn/fabio:hasPublicationYear ?y . FILTER(STR(?y) < '2024') }"),
    Case("zhai alfworld", ["is Zhai et al. evaluated on ALFWorld?", "is ALFWorld used by Zhai et al.?"], "yesno",
         "ASK { method:zhai-2024 llmrl:evaluatedOn benchmark:alfworld }"),
    Case("saycan vlm", ["does SayCan use a VLM?"], "yesno",
         f"ASK {{ ?e llmrl:entryOf method:saycan ; llmrl:usesModel ?x . ?x a {VLM} }}"),
    Case("any vlm planners", ["are there planners using VLMs?", "are there any VLM planners?"], "yesno",
         f"ASK {{ ?m a llmrl:PlannerMethod . ?e llmrl:entryOf ?m ; llmrl:usesModel ?x . ?x a {VLM} }}"),
    Case("any gpt-4v method", ["is there a method that uses GPT-4V?", "are there methods using GPT-4V?"], "yesno",
         "ASK { ?e llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:usesModel model:gpt-4v }"),
    # --- refusals ---------------------------------------------------------------------------------------
    Case("out of scope", ["what is the capital of France?"], "refused", words=["capital", "France"]),
    Case("weather", ["what is the weather today?"], "refused", words=["weather", "today"]),
    Case("unknown model", ["methods using GPT-7", "planners using GPT-5"], "refused", words=["GPT"]),
    Case("organisation as author", ["methods published in 2024 by OpenAI", "methods by Google"], "refused",
         words=["organisation that develops models"]),
    Case("model type as a field", ["what LLM does Eureka use?"], "refused", words=["Eureka"]),
    Case("changes", ["delete Eureka", "add a method called Foo", "update the year of Eureka to 2025",
                     "remove all planners", "'; DROP TABLE methods; --"], "refused", words=["only reads"]),
    Case("unknown word", ["quantum planners", "planners using GPT-4 and quantum computers"], "refused",
         words=["quantum"]),
    Case("or across kinds", ["planners or GPT-4"], "refused", words=["different kinds"]),
    Case("negated year", ["methods not from 2023 using GPT-4", "methods that are not in 2023"], "refused",
         words=["cannot be negated"]),
    Case("backwards years", ["planners from 2025 to 2022"], "refused", words=["backwards"]),
    Case("separate years", ["planners in 2022 and 2024"], "refused", words=["several separate years"]),
    Case("double negation", ["methods not not using GPT-4"], "refused", words=["two negations"]),
    Case("dangling not", ["planners not"], "refused", words=["'not'"]),
    Case("empty", ["", "   "], "refused", words=["empty"]),
    Case("sparql", ["SELECT * WHERE { ?s ?p ?o }"], "refused", words=["SELECT"]),
    Case("two things", ["Eureka Reflexion"], "refused", words=["Eureka"]),
    Case("nothing to look for", ["who wrote"], "refused", words=["'wrote'"]),
    Case("huge", ["planners " * 15000], "refused", words=["at most 500"]),
]
