// What a question asks for, before any retrieval: a person, small talk, the assistant's instructions, an
// action on money, someone else's data, something that is not VPay, or the customer's own payments.
// Patterns over the folded text (lower case, no accents), English and Spanish together: customers mix them.
// Only the customer's own words are classified; stored text (memos, names) never passes through here.
import type { PaymentToolName } from './payments-tools.ts';
import { fold } from './text.ts';

export type SmalltalkTopic = 'greeting' | 'thanks' | 'bot' | 'bye' | 'ack' | 'how-are-you';
export type RefusalTopic = 'instructions' | 'money-action' | 'other-data' | 'price' | 'creative' | 'off-topic';

export type Intent =
  | { kind: 'handoff' }
  | { kind: 'affirm' }
  | { kind: 'decline' }
  | { kind: 'smalltalk'; topic: SmalltalkTopic }
  | { kind: 'refuse'; topic: RefusalTopic; action?: 'refund' | 'send' | 'cancel' }
  | { kind: 'own-payment'; tool: PaymentToolName }
  | { kind: 'question' };

/** Folded, single-spaced, without punctuation except what hashes and amounts need. */
export function normalizeQuestion(text: string): string {
  return ` ${fold(text)
    .replace(/['’`´]/g, '')
    .replace(/[^\p{L}\p{N}.,]+/gu, ' ')
    .replace(/([.,])(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()} `;
}

const any = (...res: RegExp[]) => (t: string) => res.some((r) => r.test(t));

// --- A person --------------------------------------------------------------------------------------------
const PERSON_EN = '(human|humans|real person|a person|person|someone|somebody|agent|agents|live agent|representative|rep|operator|support|customer service|customer support|customer care|staff|team member|manager|supervisor)';
const PERSON_ES = '(persona|personas|humano|humana|alguien|asesor|asesora|agente|operador|operadora|soporte|ejecutivo|ejecutiva|representante|atencion al cliente|encargado|encargada|supervisor)';
const isHandoff = any(
  new RegExp(`\\b(talk|speak|chat|connect|transfer|put me through|escalate|get me|give me|bring|call)\\b( me)?( (to|with|through))? (a |an |the |some |your )?(real |live |actual )?${PERSON_EN}\\b`),
  new RegExp(`\\b(want|need|like|prefer|request)( to have| to talk to| to speak (to|with))? (a |an |the |some )?(real |live |actual )?(human|real person|live agent|agent|representative|operator|person)\\b`),
  /\b(not|no) (a |an |the )?(bot|robot|machine|ai)\b/,
  /^ (a |an )?(real |live )?(human|agent|operator|representative|real person|live agent|customer service|customer support|support agent)( please| pls| plz| now)? $/,
  /^ (agent|human|operator|representative) (please|pls|plz|now|asap) $/,
  new RegExp(`\\b(hablar|comunicarme|comunicar|comunicame|comunican|comunicarse|contactar|contactarme|pasar|pasame|pasenme|conectar|conectame|chatear|transferir|transfiereme)\\b( me)?( (con|a))? (un |una |el |la |algun |alguna |)?(real |de verdad )?${PERSON_ES}\\b`),
  /\b(quiero|necesito|dame|deme|prefiero) (un |una )?(humano|humana|persona real|persona|asesor|asesora|agente|operador|operadora|ejecutivo|ejecutiva|representante)\b/,
  /\bno quiero (hablar|chatear) con (un |una |el |la )?(bot|robot|maquina|ia|asistente)\b/,
  /^ (atencion al cliente|servicio al cliente|operador|operadora|asesor|asesora|agente|humano|una persona|alguien real)( por favor| porfa| pls)? $/,
  /\b(need|want|get|like|would like)( some)? help from (a |an |the |some |your )?(real |live |actual )?(human|person|people|agent|representative|operator|someone|somebody|staff)\b/,
  // Arabic (answered in English, but a person is a person): "I want to talk to an employee / a human".
  // Folded: hamza and vowel marks are gone (أريد → اريد).
  / (اريد|ابغى|ابي|عايز|بدي|ممكن|اود) (ان )?(اتحدث|اتكلم|اكلم|التحدث|التكلم|احكي|اتواصل|التواصل) ?(مع|الى|ل) ?(شخص|موظف|انسان|بشر|احد|خدمة العملاء|الدعم|فريق)/,
  /^ (موظف|انسان|شخص حقيقي|خدمة العملاء|الدعم الفني)( من فضلك| لو سمحت)? $/,
);

// --- Small talk (the whole message) -------------------------------------------------------------------------
const SMALLTALK: [SmalltalkTopic, RegExp][] = [
  ['bot', /^ (hey |hi |hola )?(are|r) (you|u) (a |an )?(bot|robot|human|real|real person|person|ai|machine|chatbot)( or (a )?(bot|human|person|real))? $/],
  ['bot', /^ (hola )?(eres|sos|es) (un |una )?(bot|robot|humano|humana|persona|real|ia|maquina|persona real)( o (un |una )?(bot|robot|humano|persona))? $/],
  ['bot', /^ (is this|am i talking to|am i chatting with) (a |an )?(bot|robot|human|real person|person|ai) $/],
  ['how-are-you', /^ (hi |hello |hey |hola )?(how are you|how r u|hows it going|como estas|que tal|como vas)( today)? $/],
  ['greeting', /^ (hi|hello|hey|hiya|yo|heya|good (morning|afternoon|evening)|hola|buenas|buenos dias|buenas tardes|buenas noches|saludos|que onda|hello there|hi there|hey there)( (there|team|vpay|assistant|bot|amigo|amiga))? $/],
  ['thanks', /^ (ok |okay |great |perfect |perfecto |listo |vale )?(thanks|thank you|thx|ty|tysm|thank you so much|thanks a lot|many thanks|cheers|gracias|muchas gracias|mil gracias|te agradezco|gracias por todo)( (so much|a lot|again|bot|assistant|amigo|crack))? $/],
  ['bye', /^ (ok |okay )?(bye|goodbye|see you|see ya|cya|good night|chao|chau|adios|hasta luego|nos vemos|hasta pronto)( (bye|thanks|gracias))? $/],
  ['ack', /^ (ok|okay|k|cool|ok cool|great|nice|got it|perfect|alright|fine|awesome|vale|dale|listo|perfecto|genial|entendido|bueno|ya|ah ok|oh ok|ok gracias|ok thanks) $/],
];

/** A greeting at the start of a real question ("hi, why did my payment fail"): dropped before classifying the rest. */
const LEADING_GREETING = /^ (hi|hello|hey|hola|buenas|buenos dias|buenas tardes|buenas noches|good (morning|afternoon|evening))( there| team)? (?=\S+ \S+)/;

const AFFIRM = /^ (yes|yeah|yep|yup|sure|ok|okay|please|yes please|yes pls|ok please|do it|go ahead|si|sip|claro|dale|por favor|si por favor|si porfa|ok si|de acuerdo|bueno) $/;
const DECLINE = /^ (no|nope|nah|no thanks|no thank you|not now|no gracias|ahora no|todavia no|no por ahora) $/;

// --- Refusals -------------------------------------------------------------------------------------------------
const isInstructions = any(
  /\b(system|hidden|initial|original|secret) (prompt|instructions|message|rules)\b/,
  /\b(ignore|forget|disregard|override|bypass) (all |any |the |your |my )?(previous |prior |above |earlier |preceding )?(instructions|rules|prompt|prompts|directions|guidelines)\b/,
  /\b(reveal|show|print|tell me|give me|repeat|output|display|what are|what were)\b.{0,30}\b(your|the) (instructions|rules|prompt|configuration|config|guidelines)\b/,
  /\brepeat (the |everything |all )?(text|words|message|everything)? ?(above|before)\b/,
  /\b(developer|dev|god|admin|debug|jailbreak|dan) mode\b/,
  /\bjailbreak\b/,
  /\bwhat rules (were|are) you\b/,
  /\b(olvida|ignora|omite)( todas)? (tus|las|sus) (instrucciones|reglas|indicaciones)\b/,
  /\b(tus|sus) (instrucciones|reglas|indicaciones) (internas|ocultas|secretas|del sistema)\b/,
  /\b(cuales son|dime|muestrame|revela|repite) (tus|las) (instrucciones|reglas)\b/,
  /\b(tu|el) prompt\b/,
  /\bmodo (desarrollador|administrador|admin|dios)\b/,
);

/** An order to the assistant to do something with money (a how-to question is not one). */
const MONEY_ACTION: ['refund' | 'send' | 'cancel', RegExp][] = [
  ['refund', /^ (please |pls |plz |now |ok )?((can|could|will|would) you (please )?|i want you to |i need you to |go ahead and |just )?(refund|reimburse|reverse|undo|chargeback|claw back) (me|my|the|this|that|it|all|everything|\d)/],
  // Not when it says what someone else will not do or was asked to do ("the merchant won't refund me").
  ['refund', /(?<!\b(not|never|wont|dont|didnt|doesnt|cant|cannot|wouldnt|hasnt|havent|isnt going to|refuses to|refused to|refuse to|(them|him|her|they|merchant|seller|store|shop) to) )\b(refund|reimburse) (me|my money|that|this|it)\b(?!.{0,20}\b(how|when|policy))/],
  ['refund', /\b(give|send|return) (me )?(back )?my money( back)?( now)?\b(?!.{0,30}\bhow\b)/],
  ['send', /^ (please |pls |now |ok )?((can|could|will|would) you (please )?|i want you to |i need you to |go ahead and |just )?(send|transfer|move|pay|wire|withdraw|deposit) (\d|[a-z]+ \d|all|my|the|some|money|funds|it)/],
  ['cancel', /^ (please |pls |now |ok )?((can|could|will|would) you (please )?|i want you to |i need you to |go ahead and |just )?(cancel|stop|block|void|revoke) (my|the|this|that|it|payment|transaction|tx)\b/],
  ['refund', /^ (por favor |porfa )?((puedes|podrias|quiero que|necesito que) )?(reembolsa|reembolsame|reembolses|reembolsarme|devuelveme|devuelve|devuelvas|devolverme|regresame|reintegrame|revierte|reviertas|anula el cobro)\b/],
  ['send', /^ (por favor |porfa )?((puedes|podrias|quiero que|necesito que) )?(manda|mandale|mandame|envia|enviale|enviame|transfiere|transfierele|transfiereme|paga|pagale|pagues|mandes|envies|mueve|retira|deposita)\b/],
  ['cancel', /^ (por favor |porfa )?((puedes|podrias|quiero que|necesito que) )?(cancela|cancelame|cancelalo|canceles|anula|anules|deten|bloquea) (mi|el|ese|este|la|los|mis|pago|transaccion|tx)\b/],
];

/** "victor's payments", "user456’s balance": checked on the text with its apostrophes. */
const POSSESSIVE = /\b(?!my\b|your\b|our\b|its\b|it\b|this\b|that\b)([a-z][a-z0-9_-]{1,30})['’]s (payments|transactions|transfers|balance|history|account|receipts|money|data|wallet)\b/;

/** Other people's payments, balances or data (the customer's own payments with someone are fine). */
const isOtherData = any(
  /\b(all|every|everyone s|everybodys|everyones|other) (payments|transactions|customers|users|accounts|peoples)\b/,
  /\b(list|show|give|tell|dump|export)\b.{0,20}\b(all|every) (the )?(payments|transactions|users|customers)\b/,
  /\b(payments|transactions|balance|history|account|data|receipts) (of|for|from) (user|customer|account|client) \S+/,
  /\bas (an )?(admin|administrator|agent|merchant|support|staff)\b/,
  /\b(how much|what|when) (did|does|has|is) (?!i\b|you\b|we\b|my\b)([a-z][a-z0-9_-]{1,30})( [a-z][a-z0-9_-]{1,30})? (receive|received|get|got|earn|earned|make|made|pay|paid|spend|spent|have|own|send|sent)\b(?!.{0,15}\b(me|my|to me|from me)\b)/,
  /\b(pagos|transacciones|saldo|historial|cuenta|datos|recibos) de(l usuario| la usuaria| el usuario| usuario| cliente)? (?!mi\b|mis\b|tu\b|el\b|la\b|los\b|las\b|un\b|una\b|este\b|esta\b|ese\b|esa\b|hoy\b|ayer\b|la semana\b|octubre|noviembre)[a-z][a-z0-9_-]{1,30}\b/,
  /\b(todos los|todas las) (pagos|transacciones|usuarios|clientes|cuentas)\b/,
  /\bcuanto (dinero |plata )?(tiene|gano|recibio|cobro|gasto|pago)\b(?! (mi|el pago|la))/,
  /\bcomo (administrador|admin|agente)\b/,
);

/** "la plata de X", "el dinero de X": someone else's money, unless the customer's own money with X is meant. */
const OTHERS_MONEY = /\b(dinero|plata) de(l usuario| la usuaria| el usuario| usuario| cliente)? (?!mi\b|mis\b|tu\b|el\b|la\b|los\b|las\b|un\b|una\b|este\b|esta\b|ese\b|esa\b|hoy\b|ayer\b|la semana\b|octubre|noviembre)[a-z][a-z0-9_-]{1,30}\b/;
/** The customer's own money with someone: refunded to them, charged to them, sent or received by them. */
const OWN_MONEY = /\b(me|le|les) (devolvieron|devolvio|reembolsaron|reembolso|regresaron|regreso|cobraron|cobro|mande|envie|pague|transferi)\b|\b(mande|envie|pague|transferi|gaste|recibi)\b/;
const isOthersMoney = (t: string) => OTHERS_MONEY.test(t) && !OWN_MONEY.test(t);

const isPrice = any(
  /\b(price|value|worth|rate)\b.{0,40}\b(go up|go down|rise|fall|drop|pump|moon|tomorrow|next (week|month|year)|in \d+ (days|months|years)|predict|prediction|forecast|future)\b/,
  /\b(will|is) (vrc|usdc|bitcoin|btc|eth|ethereum|crypto|it)\b.{0,20}\b(go up|go down|rise|fall|increase|decrease|moon|crash|pump)\b/,
  /\bshould i (buy|sell|invest|hold|hodl)\b/,
  /\b(investment|investing|trading) advice\b/,
  /\b(cuanto|cuanta) (va a |van a )?(valer|costar|subir|bajar)\b/,
  /\b(va a |van a )(subir|bajar)\b.{0,20}\b(vrc|precio|bitcoin|cripto)\b|\b(vrc|precio|bitcoin|cripto)\b.{0,20}\b(va a |van a )(subir|bajar)\b/,
  /\b(debo|deberia|conviene) (comprar|vender|invertir)\b/,
  /\bprecio (del|de) (vrc|bitcoin|btc|eth)\b.{0,30}\b(manana|proximo|futuro|semana que viene)\b/,
);

const isCreative = any(
  /\b(write|compose|create|generate|make)( me| us)? (a |an |my |some )?(poem|essay|story|song|lyrics|joke|letter|haiku|novel|rap|speech|code|script|program|homework|cover letter)\b/,
  /\btell me a (joke|story)\b/,
  /\b(escribe|escribeme|escribime|hazme|haz|redacta|redactame|crea|creame)( me)? (un |una )?(poema|ensayo|cuento|historia|cancion|chiste|carta|codigo|programa|tarea|discurso)\b/,
  /\bcuentame un (chiste|cuento)\b/,
);

const isOffTopic = any(
  /\b(weather|forecast|temperature|world cup|football|soccer|basketball|nba|nfl|recipe|cook|movie|series|netflix|president|election|politics|capital of|horoscope|lottery|translate)\b/,
  /\b(clima|pronostico|temperatura|mundial|futbol|receta|cocinar|pelicula|presidente|elecciones|politica|capital de|horoscopo|loteria|traduce|traducir)\b/,
);

// --- The customer's own payments ------------------------------------------------------------------------------
const PAYMENT_NOUN = '(payments?|transfers?|transactions?|tx|txn|txs|pmt|deposits?|money|funds|cash|pagos?|transferencias?|transaccion(es)?|envios?|depositos?|plata|dinero|lana|cobros?|cargos?)';
const MINE = new RegExp(
  [
    `\\b(my|mi|mis)( \\S+){0,3} ${PAYMENT_NOUN}\\b`,
    `\\b${PAYMENT_NOUN} (i|that i|yo|que (yo )?(hice|mande|envie|recibi|pague))\\b`,
    `\\b(did|have|has|was|were) (i|my)\\b`,
    `\\b(i|yo) (sent|send|paid|pay|received|receive|got|spent|spend|transferred|made)\\b`,
    `\\b(me|le|les) (mande|envie|pague|transferi|mando|envio|pago|transfirio|devolvieron|reembolsaron|cobraron|llego)\\b`,
    `\\b(mande|envie|pague|recibi|gaste|transferi|hice|gane|cobre)\\b`,
    `\\b(send|sent|pay|paid|transfer|transferred|give|gave) me\\b`,
    `\\b(last|latest|most recent|ultimo|ultima)( \\S+){0,2} ${PAYMENT_NOUN}\\b`,
    `\\b(me|le) (rechazaron|rebotaron|cobraron|fallo|devolvieron|reembolsaron|pagaron|enviaron|mandaron)\\b`,
    `\\b(receipt|recibo|comprobante) (for|of|del|de) (the |my |mi |el )?(last |ultimo )?${PAYMENT_NOUN}\\b`,
    `\\b(do i have|have i (got|had|received)|any of my)\\b`,
    `\\b(tengo|hay) (algun|alguna|algunos|algunas|pagos?|reembolsos?|transferencias?)\\b`,
  ].join('|'),
);
/** Things that get rejected or declined besides payments ("me rechazaron la verificación"). */
const NOT_A_PAYMENT = /\b(verification|verify|identity|id|document|documents|selfie|kyc|password|login|sign in|application|business account|verificacion|identidad|identificacion|documento|documentos|selfie|contrasena|clave|solicitud|cuenta de empresa)\b/;
const HASHLIKE = /(?:^|\s)(0x[0-9a-f]{6,64}|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,64})(?=\s|$)/;
const HOW_TO = /^ (how(?! much| many)|como|donde|where|what is|what are|what does|que es|que son|que significa|can i|puedo|se puede|is it possible|es posible)\b/;
/** A general question about how things work ("do I pay a fee if my payment fails"), not about one payment. */
const GENERAL = /\b(if|what happens|do i need|do i have to|will i|should i|can i|how do i|how can i|how to|is there|are there|does it|do you|si (mi|el|un)|que pasa|necesito|tengo que|puedo|se puede|como (hago|puedo)|quiero que me devuelvan|money back)\b/;
/** Plainly about the customer's actual payments, even in a general-sounding question. */
const PLAINLY_MINE = /^ any (pending|failed|refunded|recent|new) (payments?|transfers?|transactions?|refunds?)\b|\b(my|mis) (payments|transfers|transactions|pagos|transferencias)\b|\b(do i have|have i got|have i had|tengo|hay) (any |algun |alguna |algunos |algunas )?(pending|failed|refunds?|pagos?|reembolsos?|transferencias?|pendientes?)\b/;

const TOOLS: [PaymentToolName, RegExp][] = [
  ['receipt', /\b(receipt|receipts|invoice|recibo|recibos|comprobante|factura)\b/],
  ['sum', /\b(how much|total|sum|in total|altogether|cuanto|cuanta|cuantos|total|suma|en total)\b/],
  ['refunds', /\b(refund|refunds|refunded|reimburs\w*|money back|reembols\w*|devolv\w*|devolucion\w*|devuelto|reintegr\w*)\b/],
  ['why-failed', /\b(fail\w*|declin\w*|reject\w*|bounc\w*|error|didnt go through|did not go through|fall\w*|rechaz\w*|rebot\w*|no paso|no se hizo)\b/],
  ['pending', /\b(pending|stuck|processing|on hold|pendiente\w*|trabad\w*|atorad\w*|en proceso|colgad\w*|retenid\w*)\b/],
  ['details', /\b(note|memo|message on|nota|mensaje del|mensaje de mi|concepto)\b/],
  ['last-payment', /\b(last|latest|recent|most recent|ultimo|ultima|reciente|status|estado|go through|went through|show|find|muestra|muestrame|busca|paso con)\b/],
];

/** Signals that name a specific payment of the customer's even without "my": a period, "last", a payment to or from someone ("need to ask" is not one). */
const SPECIFIC = /\b(yesterday|today|this week|last week|last month|this month|ayer|hoy|esta semana|la semana pasada|el mes pasado|este mes|last|latest|ultimo|ultima|(payments?|paid|pay|sent|send|transfers?|transferred|money|tx|transactions?) (to|from) \w+|january|february|march|april|june|july|august|september|october|november|december|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\b/;
/** Asks about a payment (rather than telling a story about one): needed before "my payment to Bob" is looked up. */
const ASKS = /\b(what|when|where|which|status|show|did|was|is|has|cual|cuando|donde|estado|que paso|muestra|muestrame|paso)\b|\?/;

export interface Classification {
  intent: Intent;
  /** The question with a leading greeting removed, as retrieval and the tools read it. */
  text: string;
}

/**
 * The intent of a question. `offerPending`: the assistant's last answer offered a person, so "yes" accepts
 * it. Order matters: instructions and money actions are refused before anything else reads the question.
 */
export function classify(raw: string, offerPending = false): Classification {
  const full = normalizeQuestion(raw);
  const t = full.replace(LEADING_GREETING, ' ');
  const text = t === full ? raw : raw.replace(/^\s*\S+(\s+(there|team|dias|tardes|noches|morning|afternoon|evening))?[\s,!.]*/i, '');
  const is = (intent: Intent): Classification => ({ intent, text });

  if (offerPending && AFFIRM.test(t)) return is({ kind: 'affirm' });
  if (offerPending && DECLINE.test(t)) return is({ kind: 'decline' });
  if (isInstructions(t)) return is({ kind: 'refuse', topic: 'instructions' });
  if (isHandoff(t)) return is({ kind: 'handoff' });
  for (const [action, re] of MONEY_ACTION) if (re.test(t) && !HOW_TO.test(t)) return is({ kind: 'refuse', topic: 'money-action', action });
  if (isOtherData(t) || isOthersMoney(t) || POSSESSIVE.test(fold(raw))) return is({ kind: 'refuse', topic: 'other-data' });
  if (isPrice(t)) return is({ kind: 'refuse', topic: 'price' });
  if (isCreative(t)) return is({ kind: 'refuse', topic: 'creative' });
  for (const [topic, re] of SMALLTALK) if (re.test(t)) return is({ kind: 'smalltalk', topic });

  const hash = HASHLIKE.test(t);
  const mine = MINE.test(t) && !(NOT_A_PAYMENT.test(t) && !new RegExp(`\\b${PAYMENT_NOUN}\\b`).test(t));
  const howTo = HOW_TO.test(t) || /^ (who|quien|quienes)\b/.test(t);
  if (hash || (PLAINLY_MINE.test(t) && !howTo) || (mine && !howTo && !GENERAL.test(t)) || (mine && SPECIFIC.test(t))) {
    if (hash && !/\b(receipt|recibo|comprobante)\b/.test(t)) return is({ kind: 'own-payment', tool: 'by-hash' });
    for (const [tool, re] of TOOLS) if (re.test(t)) return is({ kind: 'own-payment', tool });
    if ((new RegExp(`\\b(my|mi|mis) ${PAYMENT_NOUN}\\b`).test(t) || /\b(to|a|from|de) [a-z]/.test(t)) && ASKS.test(` ${fold(raw)} `)) {
      return is({ kind: 'own-payment', tool: 'last-payment' });
    }
  }
  if (isOffTopic(t)) return is({ kind: 'refuse', topic: 'off-topic' });
  return is({ kind: 'question' });
}

/** A hash prefix in the question (≥ 8 characters, with or without 0x), lower-cased. */
export function hashPrefixIn(raw: string): string | null {
  const m = HASHLIKE.exec(normalizeQuestion(raw));
  return m ? m[1]!.toLowerCase() : null;
}
