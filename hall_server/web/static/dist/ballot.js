import{b as a,c as b,d as c,e as d,f as e,g as f,h as g}from"./chunks/chunk-SRA6KVTQ.js";export{a as BALLOT_DOMAIN,c as ballotBytes,e as base64,b as canonicalJson,d as hex,f as newNonce,g as signedBallot};
//# sourceMappingURL=ballot.js.map
