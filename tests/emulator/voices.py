"""How each persona talks: the raw material the reply templates splice together.

Kept apart from the catalogue because it is never sent on the wire; it only
shapes generated text. Every sentence is complete on its own so templates can
combine them in any order without grammar repairs.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Voice:
    intro: str  # clause used as "<Filler>, <intro>, ..."; empty for no persona
    fillers: tuple[str, ...]
    priorities: tuple[str, str, str, str]  # noun phrases, most important first
    habits: tuple[str, ...]
    dealbreakers: tuple[str, ...]
    advice: tuple[str, ...]  # may contain {focus}
    signoffs: tuple[str, ...]
    one_words: tuple[str, ...]
    greeting: str
    joke: tuple[str, str]  # ("Why did the <topic> " + [0] + "?", [1])


GENERIC = Voice(
    intro="",
    fillers=("In short", "Put simply", "Broadly speaking", "Overall"),
    priorities=(
        "clear goals",
        "the main trade-offs",
        "solid evidence",
        "practical next steps",
    ),
    habits=(
        "A good first step is to pin down what success would look like.",
        "It usually helps to compare two or three concrete options side by side.",
        "Small experiments tend to settle questions faster than long debates.",
    ),
    dealbreakers=(
        "Things tend to go wrong when the goal stays vague.",
        "The usual trap is optimising for the wrong metric.",
        "It gets harder when nobody owns the decision.",
    ),
    advice=(
        "If you share more about your context for {focus}, I can be more specific.",
        "Start small with {focus}, measure the result, then adjust.",
    ),
    signoffs=(
        "Happy to go deeper on any part of this.",
        "Let me know which direction you want to explore next.",
        "That should give you a solid starting point.",
    ),
    one_words=("Depends.", "Clarity.", "Balance."),
    greeting="Hello! I'm doing well, thanks for asking.",
    joke=("sit on the keyboard", "It wanted to keep an eye on the mouse."),
)

_VOICES: dict[str, Voice] = {
    # Gen Z Consumer
    "clx1abc2d0001abcdef123456": Voice(
        intro="as a Gen Z consumer",
        fillers=("Honestly", "Real talk", "Ngl", "Lowkey"),
        priorities=(
            "authenticity",
            "price",
            "what creators I actually trust are saying",
            "whether a brand's values hold up",
        ),
        habits=(
            "I check TikTok and Reddit reviews before I buy pretty much anything.",
            "If a deal looks good, I screenshot it and drop it in the group chat first.",
            "I'd rather thrift or resell than pay full price for something that trends for a week.",
        ),
        dealbreakers=(
            "I scroll right past anything that feels like a corporate ad pretending to be a meme.",
            "I lose interest fast when a brand goes quiet the moment its values get tested.",
            "If checkout makes me create an account, I'm gone.",
        ),
        advice=(
            "If you're pitching {focus} to people like me, lead with real creators, not polished ads.",
            "Make {focus} easy to share and let people like me tell the story.",
        ),
        signoffs=(
            "If it feels real, I'm in; if it feels staged, I scroll.",
            "Show me receipts, not slogans.",
            "Make it easy to share and I'll probably share it.",
        ),
        one_words=("Authentic.", "Mid.", "Iconic."),
        greeting="Hey! Doing pretty good, honestly.",
        joke=("unfollow the brand", "The ad was giving 'hello, fellow kids' energy."),
    ),
    # SaaS CMO
    "clx2xyz9e0002abcdef789012": Voice(
        intro="as a SaaS CMO",
        fillers=("Frankly", "From where I sit", "Bottom line", "In my experience"),
        priorities=(
            "pipeline impact",
            "CAC payback",
            "positioning against the category leader",
            "how sales will actually use it",
        ),
        habits=(
            "I pressure-test every idea against pipeline before I put budget behind it.",
            "The first thing I ask my team is what it does to CAC payback.",
            "I read win/loss notes before I trust any survey.",
        ),
        dealbreakers=(
            "I stop listening when the only metric on the slide is impressions.",
            "If nobody can tell me which segment it's for, it doesn't get funded.",
            "Anything that needs a six-month integration before we learn something is a hard sell.",
        ),
        advice=(
            "If you want budget for {focus}, tie it to a pipeline number I can defend.",
            "Position {focus} against the category leader and arm sales with one clear proof point.",
        ),
        signoffs=(
            "If it moves qualified pipeline within two quarters, I'm interested.",
            "Give me a metric I can defend in the board meeting.",
            "Positioning first, tactics second.",
        ),
        one_words=("Pipeline.", "Positioning.", "Measurable."),
        greeting="Hi there, doing well, though the quarter-end forecast is on my mind.",
        joke=(
            "get invited to the board meeting",
            "It was the only one with a CAC payback under twelve months.",
        ),
    ),
    # Millennial Parent
    "clx3mpa7k0003ghijkl345678": Voice(
        intro="as a millennial parent",
        fillers=("Honestly", "Real talk", "As a parent", "Between school runs"),
        priorities=(
            "whether it saves me time",
            "safety",
            "value for the whole family",
            "reviews from other parents",
        ),
        habits=(
            "Most of my shopping happens on my phone after the kids are in bed.",
            "I read the parent-group threads before I trust a new brand.",
            "I'll pay a bit more if it genuinely gives me back an evening.",
        ),
        dealbreakers=(
            "I'm out if it adds yet another app I have to manage.",
            "If the fine print hides a subscription, I never come back.",
            "Anything that assumes I have free time on a weeknight misses the mark.",
        ),
        advice=(
            "If {focus} is meant for families like mine, show me the minutes it saves.",
            "Make {focus} simple enough to set up one-handed while holding a toddler.",
        ),
        signoffs=(
            "If it makes Tuesday night easier, you've got me.",
            "Save me twenty minutes and I'll tell every parent I know.",
            "Keep it simple, safe and honest about the price.",
        ),
        one_words=("Exhausting.", "Worth it.", "Practical."),
        greeting="Hi! Running on coffee, but doing well.",
        joke=("refuse to nap", "It heard the toddler was running the family budget."),
    ),
    # Retired Baby Boomer
    "clx4rbb2m0004mnopqr901234": Voice(
        intro="as a retired baby boomer",
        fillers=("Well", "In my experience", "I'll be honest with you", "Frankly"),
        priorities=(
            "reliability",
            "good customer service",
            "a fair price",
            "not being talked down to",
        ),
        habits=(
            "I still like to call and speak to a real person before I commit.",
            "I read the whole brochure, fine print included.",
            "My grandchildren set up my apps, but I decide what I pay for.",
        ),
        dealbreakers=(
            "I lose patience when I can't reach a human being.",
            "If the print is too small to read, I assume they're hiding something.",
            "Changing the terms after I've signed up is the quickest way to lose me.",
        ),
        advice=(
            "If you want people my age to consider {focus}, explain it plainly and give us a phone number.",
            "Earn my trust on {focus} with good service, not flashy advertising.",
        ),
        signoffs=(
            "Treat me with respect and I'll be a loyal customer for years.",
            "Keep it straightforward and I'll keep coming back.",
            "Good service is still the best advertising.",
        ),
        one_words=("Reliable.", "Overpriced.", "Sensible."),
        greeting="Hello, dear. I'm doing just fine, thank you for asking.",
        joke=(
            "write a letter to the editor",
            "The comments section didn't have a proper complaints department.",
        ),
    ),
    # Small Business Owner
    "clx5sbo8n0005stuvwx567890": Voice(
        intro="as a small business owner",
        fillers=("Look", "Honestly", "Bottom line", "From a cash-flow point of view"),
        priorities=(
            "cash flow",
            "how fast it pays for itself",
            "whether my team will actually use it",
            "my local reputation",
        ),
        habits=(
            "I sign every check myself, so every expense gets a second look.",
            "I ask other owners at the chamber of commerce what they use.",
            "I try things month-to-month before I commit to an annual plan.",
        ),
        dealbreakers=(
            "An annual contract paid up front is an instant no.",
            "If setup needs a consultant I can't afford, it's not for us.",
            "A pricing page that just says 'contact sales' tells me it's not for me.",
        ),
        advice=(
            "If you're selling {focus} to owners like me, put the price on the page and show the payback.",
            "Show me {focus} working for a business my size, not a Fortune 500.",
        ),
        signoffs=(
            "If it pays for itself in a quarter, we can talk.",
            "Keep it simple enough that my team uses it on day one.",
            "Every dollar has to earn its keep.",
        ),
        one_words=("Cash-flow.", "Maybe.", "Practical."),
        greeting="Hey, doing well. Busy week, but that's a good problem.",
        joke=("ask for net-30 terms", "It had nine lives but only one line of credit."),
    ),
    # Healthcare CFO
    "clx6hcf3p0006yzabcd234567": Voice(
        intro="as a healthcare CFO",
        fillers=("Frankly", "Let me be direct", "Financially speaking", "In practice"),
        priorities=(
            "total cost of ownership",
            "regulatory compliance",
            "measurable ROI within the budget cycle",
            "the impact on clinical staff workload",
        ),
        habits=(
            "I want a cost model with sensitivity ranges before I read a feature list.",
            "Every proposal goes past compliance and our CMO before it reaches me.",
            "I benchmark against peer health systems before approving anything new.",
        ),
        dealbreakers=(
            "If a vendor can't show HIPAA documentation, the conversation ends there.",
            "An ROI case that depends on best-case adoption won't survive my review.",
            "Anything that pulls nurses away from patients is a non-starter.",
        ),
        advice=(
            "If you bring {focus} to a health system, lead with conservative ROI and the compliance story.",
            "Frame {focus} in terms of margin protection and staff time, not features.",
        ),
        signoffs=(
            "Show me the numbers under conservative assumptions and I'll take the meeting.",
            "Compliance is table stakes; ROI wins the budget.",
            "If it protects margin without adding risk, it gets a hearing.",
        ),
        one_words=("Unproven.", "Compliant.", "Conditional."),
        greeting="Good to hear from you. Doing well, in the middle of budget season.",
        joke=("get audited", "It billed for nine lives and only documented one."),
    ),
    # Eco-conscious Shopper
    "clx7ecs5q0007efghij890123": Voice(
        intro="as an eco-conscious shopper",
        fillers=("Honestly", "For me", "Here's the thing", "Truthfully"),
        priorities=(
            "verified sustainability claims",
            "packaging waste",
            "durability",
            "supply-chain transparency",
        ),
        habits=(
            "I look for third-party certifications before I trust a green label.",
            "I'd rather buy one thing that lasts ten years than three that don't.",
            "I bring my own bags, my own jars and a healthy amount of skepticism.",
        ),
        dealbreakers=(
            "Vague claims like 'eco-friendly' with no proof make me walk away.",
            "If it ships in three layers of plastic, the message is lost on me.",
            "A brand that won't say where things are made loses my trust.",
        ),
        advice=(
            "If you want shoppers like me to care about {focus}, publish the data behind the claims.",
            "Make {focus} durable and repairable, then tell me exactly how.",
        ),
        signoffs=(
            "Prove the impact and I'll gladly pay a little more.",
            "Less greenwashing, more receipts.",
            "Durable, transparent and low-waste wins every time.",
        ),
        one_words=("Greenwashing.", "Sustainable.", "Unconvinced."),
        greeting="Hi! Doing well, just back from the farmers' market.",
        joke=("start composting", "It wanted to shrink its carbon pawprint."),
    ),
    # Gen Z Gamer
    "clx8gzg6r0008klmnop456789": Voice(
        intro="as a Gen Z gamer",
        fillers=("Ngl", "Honestly", "Real talk", "GG, but"),
        priorities=(
            "performance",
            "the community vibe",
            "fair monetization",
            "what the streamers I watch think",
        ),
        habits=(
            "I watch a streamer play it before I spend a cent.",
            "I check the Discord to see if the devs actually listen.",
            "Battle passes are fine, but pay-to-win is an instant uninstall.",
        ),
        dealbreakers=(
            "Pay-to-win mechanics are an instant uninstall for me.",
            "If the servers lag on launch day, I'm back to my old main.",
            "Devs who ghost the community lose me for good.",
        ),
        advice=(
            "If you want gamers like me to try {focus}, get it into streamers' hands early.",
            "Build {focus} with the community, not just for it.",
        ),
        signoffs=(
            "If the community is good, I'll stick around for years.",
            "Respect my time and my wallet and I'm in.",
            "Ship it polished or don't ship it.",
        ),
        one_words=("Mid.", "Cracked.", "Pay-to-win."),
        greeting="Yo! Doing good, just finished a ranked session.",
        joke=("rage-quit the match", "Someone nerfed its nine lives down to three."),
    ),
    # B2B IT Director
    "clx9bit4s0009qrstuv012345": Voice(
        intro="as a B2B IT director",
        fillers=("Realistically", "Frankly", "In practice", "From an IT standpoint"),
        priorities=(
            "security and SSO",
            "integration with our existing stack",
            "vendor risk",
            "the support burden on my team",
        ),
        habits=(
            "I start with the security questionnaire, not the demo.",
            "I ask which of our systems it has to touch and who maintains the connectors.",
            "I talk to a reference customer on our stack before signing anything.",
        ),
        dealbreakers=(
            "No SSO or audit log means no deal.",
            "If the integration story is just 'we have an API', I'm skeptical.",
            "Anything that creates another shadow-IT silo gets blocked.",
        ),
        advice=(
            "If you're bringing {focus} to an IT team like mine, lead with the "
            "security review and the integration plan.",
            "Make {focus} boring to operate and my team will champion it.",
        ),
        signoffs=(
            "Pass security review and integrate cleanly, and you'll get a pilot.",
            "Make my team's life easier, not busier.",
            "Boring and reliable beats flashy every time.",
        ),
        one_words=("Risky.", "Integrate.", "Secure."),
        greeting="Hi, doing well. Patch Tuesday went smoothly, so no complaints.",
        joke=(
            "fail the security review",
            "It kept leaving its password on the keyboard.",
        ),
    ),
    # Rural Farmer
    "clxarfm7t0010wxyzab678901": Voice(
        intro="as a farmer",
        fillers=("Well", "Out here", "Plainly put", "I'll tell you"),
        priorities=(
            "whether it works when the signal drops",
            "durability",
            "cost per acre",
            "what my neighbors say about it",
        ),
        habits=(
            "I trust what I see at the co-op and the county fair more than any ad.",
            "If it can't handle mud, dust and a bad signal, it's not for us.",
            "I fix most things myself, so being able to repair it matters.",
        ),
        dealbreakers=(
            "If it needs a perfect internet connection, it won't work out here.",
            "Repairs that need a dealer three counties away are a deal-breaker.",
            "A salesman who has never set foot on a farm won't get far with me.",
        ),
        advice=(
            "If you want farmers to try {focus}, show it working in a real field at planting time.",
            "Price {focus} per acre and make sure it works offline.",
        ),
        signoffs=(
            "If it pays off by harvest, I'll give it a try.",
            "Show me it working in a field, not a showroom.",
            "Built tough and fairly priced is all I ask.",
        ),
        one_words=("Depends.", "Sturdy.", "Overpriced."),
        greeting="Howdy. Doing fine, weather's been kind this week.",
        joke=(
            "skip the county fair",
            "It was still waiting for the weather app to load.",
        ),
    ),
    # Luxury Traveler
    "clxbltr9u0011cdefgh234568": Voice(
        intro="as a luxury traveler",
        fillers=("Candidly", "For me", "Quite simply", "Honestly"),
        priorities=(
            "personalized service",
            "exclusivity",
            "seamless logistics",
            "genuine local character",
        ),
        habits=(
            "I book through a concierge who already knows my preferences.",
            "I'll pay for a private transfer before I'll stand in a queue.",
            "I remember how a place made me feel far longer than what it cost.",
        ),
        dealbreakers=(
            "The moment an experience feels mass-market, it loses me.",
            "Having to repeat my preferences twice is a small thing that matters a lot.",
            "An 'exclusive' offer that is on every booking site is not exclusive.",
        ),
        advice=(
            "If you're offering {focus} to travelers like me, anticipate the details before I ask.",
            "Make {focus} feel personal and effortless; price is secondary.",
        ),
        signoffs=(
            "Anticipate what I need and price becomes secondary.",
            "Make it effortless and memorable, and I'll return.",
            "Excellence is in the details.",
        ),
        one_words=("Exquisite.", "Ordinary.", "Effortless."),
        greeting="Hello! Very well, thank you; just back from Lisbon.",
        joke=("upgrade to first class", "Economy didn't offer a heated window seat."),
    ),
    # College Student
    "clxccst1v0012ijklmn890124": Voice(
        intro="as a college student",
        fillers=("Honestly", "Okay so", "Real talk", "Not gonna lie"),
        priorities=(
            "price and student discounts",
            "convenience",
            "what my friends use",
            "whether it helps me get through finals",
        ),
        habits=(
            "I check for a student discount before anything else.",
            "If it isn't on my phone, I'm probably not using it.",
            "My roommate's opinion counts more than any ad.",
        ),
        dealbreakers=(
            "No free tier usually means no download.",
            "If it needs a credit card just to try it, I close the tab.",
            "Anything that eats up time I don't have is a pass.",
        ),
        advice=(
            "If you want students to try {focus}, give us a free tier and a student discount.",
            "Put {focus} where students already are: group chats and campus clubs.",
        ),
        signoffs=(
            "Make it cheap, fast and useful during finals week and I'm sold.",
            "Student discount first, then we can talk.",
            "If it saves me money or time, I'll tell my whole floor.",
        ),
        one_words=("Broke.", "Useful.", "Overpriced."),
        greeting="Hey! Doing okay, surviving midterms.",
        joke=(
            "skip the 8 a.m. lecture",
            "It heard the notes would be in the group chat.",
        ),
    ),
    # Fitness Enthusiast
    "clxdfen2w0013opqrst456780": Voice(
        intro="as a fitness enthusiast",
        fillers=("Honestly", "For me", "Straight up", "Real talk"),
        priorities=(
            "measurable results",
            "ingredient and data transparency",
            "whether it fits my training schedule",
            "recovery",
        ),
        habits=(
            "I track everything on my watch, so I notice what actually moves the numbers.",
            "I read the label before I read the marketing copy.",
            "I trust coaches and training partners over influencers.",
        ),
        dealbreakers=(
            "Claims without data behind them lose me immediately.",
            "If it doesn't sync with my wearable, it doesn't exist for me.",
            "All hype and no protocol is a hard pass.",
        ),
        advice=(
            "If you want athletes like me to try {focus}, show the data from a real training block.",
            "Make {focus} fit into a five-day split without extra hassle.",
        ),
        signoffs=(
            "Show me results in the data and I'll make it part of my routine.",
            "Consistency beats hype, every time.",
            "If it helps me recover faster, I'm in.",
        ),
        one_words=("Consistency.", "Gains.", "Overhyped."),
        greeting="Hey! Feeling great, just finished a morning run.",
        joke=("skip leg day", "It was saving all nine lives for cardio."),
    ),
    # Startup Founder
    "clxestf5x0014uvwxyz012346": Voice(
        intro="as a startup founder",
        fillers=("Honestly", "Real talk", "From the trenches", "Speed matters, so"),
        priorities=(
            "speed to value",
            "runway",
            "whether it scales with us",
            "founder-to-founder recommendations",
        ),
        habits=(
            "I'll try anything with a self-serve trial the same afternoon.",
            "I ask other founders in my batch what they actually pay for.",
            "Every tool gets weighed against months of runway.",
        ),
        dealbreakers=(
            "Three sales calls just to see pricing is a no from me.",
            "If it assumes we have a dedicated ops team, it's not built for us.",
            "Anything that won't scale past our next round is a distraction.",
        ),
        advice=(
            "If you're pitching {focus} to founders like me, make the trial "
            "self-serve and the value obvious in a day.",
            "Show me how {focus} saves my team a week and I'll move fast.",
        ),
        signoffs=(
            "If it saves my team a week, it's an easy yes.",
            "Fast, fair and self-serve wins.",
            "Runway is oxygen; don't waste it.",
        ),
        one_words=("Ship it.", "Runway.", "Maybe."),
        greeting="Hey! Doing great, just wrapped an investor update.",
        joke=("pivot again", "Its burn rate was nine lives a quarter."),
    ),
}


def voice_for(persona_id: str | None) -> Voice:
    if persona_id is None:
        return GENERIC
    return _VOICES.get(persona_id, GENERIC)
