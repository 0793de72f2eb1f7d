// TOTPAdminService's WSDL 1.1, made from the operation table: document/literal wrapped (one element per
// operation and one per response, in WSO2's namespace), a SOAP 1.1 and a SOAP 1.2 binding with WSO2's
// `urn:{operation}` actions, and the two endpoints Axis2 names, at the server's public address.
import { escapeAttr } from '../../encoding/xml.ts';
import { TOTP_NS } from './envelope.ts';
import { OPERATIONS, type ParamName } from './operations.ts';

export const SOAP11_ENDPOINT = 'TOTPAdminService.TOTPAdminServiceHttpsSoap11Endpoint';
export const SOAP12_ENDPOINT = 'TOTPAdminService.TOTPAdminServiceHttpsSoap12Endpoint';

const PARAM_TYPES: Record<ParamName, string> = { username: 'xs:string', verificationCode: 'xs:int' };

function wrapper(name: string, fields: [string, string][]): string {
  const sequence = fields.map(([field, type]) => `<xs:element minOccurs="0" name="${field}" ${type === 'xs:string' ? 'nillable="true" ' : ''}type="${type}"/>`).join('');
  return `<xs:element name="${name}"><xs:complexType><xs:sequence>${sequence}</xs:sequence></xs:complexType></xs:element>`;
}

function binding(name: string, prefix: 'soap' | 'soap12', ops: string[]): string {
  const body = `<${prefix}:body use="literal"/>`;
  const operations = ops
    .map((op) => `<wsdl:operation name="${op}"><${prefix}:operation soapAction="urn:${op}" style="document"/><wsdl:input>${body}</wsdl:input><wsdl:output>${body}</wsdl:output></wsdl:operation>`)
    .join('');
  return `<wsdl:binding name="${name}" type="ns:TOTPAdminServicePortType"><${prefix}:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>${operations}</wsdl:binding>`;
}

/** The WSDL with endpoints under `serviceBase` (e.g. https://id.example.com/t/example.com/services). */
export function totpAdminWsdl(serviceBase: string): string {
  const ops = Object.keys(OPERATIONS);
  const elements = ops.flatMap((op) => {
    const def = OPERATIONS[op]!;
    return [wrapper(op, def.params.map((p) => [p, PARAM_TYPES[p]])), wrapper(`${op}Response`, [['return', def.returns === 'string' ? 'xs:string' : 'xs:boolean']])];
  });
  const messages = ops.map((op) => `<wsdl:message name="${op}Request"><wsdl:part name="parameters" element="ns:${op}"/></wsdl:message><wsdl:message name="${op}Response"><wsdl:part name="parameters" element="ns:${op}Response"/></wsdl:message>`);
  const portOps = ops.map((op) => `<wsdl:operation name="${op}"><wsdl:input message="ns:${op}Request" wsaw:Action="urn:${op}"/><wsdl:output message="ns:${op}Response" wsaw:Action="urn:${op}Response"/></wsdl:operation>`);
  const address = (endpoint: string) => escapeAttr(`${serviceBase}/${endpoint}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:ns="${TOTP_NS}" targetNamespace="${TOTP_NS}">`,
    '<wsdl:documentation>TOTPAdminService: TOTP enrolment and checks for the users of a tenant (HTTP Basic; see docs/totp-admin-service.md).</wsdl:documentation>',
    `<wsdl:types><xs:schema attributeFormDefault="qualified" elementFormDefault="qualified" targetNamespace="${TOTP_NS}">${elements.join('')}</xs:schema></wsdl:types>`,
    ...messages,
    `<wsdl:portType name="TOTPAdminServicePortType">${portOps.join('')}</wsdl:portType>`,
    binding('TOTPAdminServiceSoap11Binding', 'soap', ops),
    binding('TOTPAdminServiceSoap12Binding', 'soap12', ops),
    '<wsdl:service name="TOTPAdminService">',
    `<wsdl:port name="TOTPAdminServiceHttpsSoap11Endpoint" binding="ns:TOTPAdminServiceSoap11Binding"><soap:address location="${address(SOAP11_ENDPOINT)}"/></wsdl:port>`,
    `<wsdl:port name="TOTPAdminServiceHttpsSoap12Endpoint" binding="ns:TOTPAdminServiceSoap12Binding"><soap12:address location="${address(SOAP12_ENDPOINT)}"/></wsdl:port>`,
    '</wsdl:service>',
    '</wsdl:definitions>',
  ].join('\n');
}
