"""OWL 2 RL reasoning: the owlrl closure and the scalable materialisation."""
